"""The runner classifies each instance once after reading (Plan), and the control-plane facts are a value."""
import pytest

from ansible_collections.daprkit.dapr.plugins.module_utils import _runner as R
from ansible_collections.daprkit.dapr.plugins.module_utils._control_plane import ControlPlane

DEPLOYED = dict(status='deployed', revisions=[(2, 'deployed'), (1, 'superseded')])
PENDING_UPGRADE = dict(status='pending-upgrade', revisions=[(3, 'pending-upgrade'), (2, 'deployed')])
PENDING_INSTALL = dict(status='pending-install', revisions=[(1, 'pending-install')])


def _instance(method='manifests', state='present'):
    return dict(app_id='orders', namespace='apps', method=method, state=state)


@pytest.mark.parametrize('instance, release, helm_owned, kind, uninstalls', [
    (_instance(), None, False, R.APPLY, False),
    (_instance(), DEPLOYED, True, R.APPLY_AFTER_UNINSTALL, True),            # helm -> manifests
    (_instance('helm'), None, False, R.HELM_RELEASE, False),
    (_instance('helm'), DEPLOYED, False, R.HELM_RELEASE, False),
    (_instance('helm'), PENDING_INSTALL, False, R.APPLY_AFTER_UNINSTALL, True),  # never deployed: goes first
    (_instance('helm'), PENDING_UPGRADE, False, R.HELM_RELEASE, False),      # rolled back, then upgraded
    (_instance(state='absent'), None, False, R.REMOVE, False),
    (_instance('helm', 'absent'), DEPLOYED, False, R.REMOVE, True),
    (_instance('manifests', 'absent'), DEPLOYED, False, R.REMOVE, True),     # a release of the app id goes too
])
def test_classify(instance, release, helm_owned, kind, uninstalls):
    plan = R.classify(instance, release, helm_owned)
    assert plan.kind == kind
    assert plan.uninstalls is uninstalls
    assert plan.converges is (kind in (R.APPLY, R.HELM_RELEASE))


def test_recovery_is_planned_for_a_pending_release_of_a_present_helm_instance_only():
    assert R.classify(_instance('helm'), PENDING_UPGRADE, False).recovery['action'] == 'rollback'
    assert R.classify(_instance('helm'), DEPLOYED, False).recovery is None
    assert R.classify(_instance('helm', 'absent'), PENDING_UPGRADE, False).recovery is None


def test_plan_and_control_plane_are_immutable():
    plan = R.classify(_instance(), None, False)
    with pytest.raises(AttributeError):
        plan.kind = R.REMOVE
    cp = ControlPlane('dapr-system', ca_crt='CERT', version='1.18.2')
    with pytest.raises(AttributeError):
        cp.mtls = False
    assert cp._replace(mtls=False).mtls is False and cp.mtls is True
