"""A Helm release an interrupted operation left pending-install, pending-upgrade or pending-rollback is
recovered by the next run; Helm and its storage are checked before any change. Runner against fakes."""
import copy

import pytest

from ansible_collections.daprkit.dapr.plugins.module_utils import _helm
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError

from test_module_orchestration import FakeHelm, FakeService, fake_control_plane, run


@pytest.fixture(autouse=True)
def _control_plane(monkeypatch):
    monkeypatch.setattr('ansible_collections.daprkit.dapr.plugins.module_utils._control_plane.read', fake_control_plane)


@pytest.mark.parametrize('revisions, decision', [
    (None, None),
    ([], None),
    ([(3, 'deployed'), (2, 'superseded')], None),
    ([(3, 'failed'), (2, 'deployed')], None),
    ([(4, 'pending-upgrade'), (3, 'deployed'), (2, 'superseded')],
     dict(action='rollback', revision=3, pending='pending-upgrade', pending_revision=4)),
    ([(5, 'pending-rollback'), (4, 'failed'), (3, 'deployed')],
     dict(action='rollback', revision=3, pending='pending-rollback', pending_revision=5)),
    # no revision is deployed any more, one was: the newest of those
    ([(4, 'pending-upgrade'), (3, 'failed'), (2, 'superseded'), (1, 'superseded')],
     dict(action='rollback', revision=2, pending='pending-upgrade', pending_revision=4)),
    ([(1, 'pending-install')], dict(action='uninstall', pending='pending-install', pending_revision=1)),
    ([(2, 'pending-upgrade'), (1, 'failed')], dict(action='uninstall', pending='pending-upgrade', pending_revision=2)),
])
def test_the_decision(revisions, decision):
    assert _helm.recovery(revisions) == decision


def pending(status, revisions):
    return dict(status=status, chart_name='dapr-shared-chart', chart_version='0.0.16', values={}, revisions=revisions)


class RecoveringService(FakeService):
    """After a rollback the release reads as deployed again (at a new revision, with the old values)."""

    def __init__(self, store, releases, helm):
        super(RecoveringService, self).__init__(store, releases=releases)
        self.helm = helm

    def helm_release(self, ns, release, kind='Secret'):
        current = super(RecoveringService, self).helm_release(ns, release, kind)
        if current and self.helm.rollbacks:
            current = dict(current, status='deployed', revisions=[(9, 'deployed')] + current['revisions'])
        return current


def test_pending_upgrade_is_rolled_back_to_the_last_deployed_revision_then_upgraded():
    helm = FakeHelm()
    release = pending('pending-upgrade', [(4, 'pending-upgrade'), (3, 'deployed')])
    svc = RecoveringService({}, {('apps', 'orders'): release}, helm)
    result, svc, module = run({}, service=svc, helm=helm, method='helm')
    entry = result['instances'][0]
    assert helm.rollbacks == [('apps', 'orders', 3)]
    assert dict(object='Helm release apps/orders', action='rolled back', revision=3, was='pending-upgrade') \
        in entry['objects']
    assert entry['changed'] and [k for k, _r in helm.upgrades] == ['apps/orders'] and not helm.uninstalls
    assert dict(object='Helm release apps/orders', action='upgraded') in entry['objects']  # then through Helm
    assert [w for w in module.warnings if 'left pending-upgrade at revision 4' in w and 'revision 3' in w]
    assert 'Secret' in svc.applied  # the API token: applied by the module, never part of the release


def test_pending_install_that_never_deployed_is_uninstalled_first_then_installed():
    svc = FakeService({}, releases={('apps', 'orders'): pending('pending-install', [(1, 'pending-install')])})
    helm = FakeHelm(service=svc)
    result, svc, module = run({}, service=svc, helm=helm, method='helm')
    entry = result['instances'][0]
    assert helm.rollbacks == [] and helm.uninstalls == [('apps', 'orders')]
    assert [k for k, _r in helm.upgrades] == ['apps/orders'], 'installed again in the same run'
    assert entry['objects'][-2:] == [dict(object='Helm release apps/orders', action='uninstalled', was='pending-install'),
                                     dict(object='Helm release apps/orders', action='installed')]
    assert [w for w in module.warnings if 'never deployed' in w]


def test_check_mode_says_what_it_would_do_and_rolls_nothing_back():
    helm = FakeHelm()
    release = pending('pending-rollback', [(6, 'pending-rollback'), (5, 'deployed')])
    svc = RecoveringService({}, {('apps', 'orders'): release}, helm)
    svc.check_mode = True
    result, svc, module = run({}, check_mode=True, service=svc, helm=helm, method='helm')
    assert helm.rollbacks == [] and module.warnings
    assert dict(object='Helm release apps/orders', action='rolled back', revision=5, was='pending-rollback') \
        in result['instances'][0]['objects']


def test_a_removal_uninstalls_a_pending_release_without_rolling_back():
    helm = FakeHelm()
    release = pending('pending-upgrade', [(4, 'pending-upgrade'), (3, 'deployed')])
    svc = FakeService({}, releases={('apps', 'orders'): release})
    result, svc, module = run({}, service=svc, helm=helm, method='helm', state='absent')
    assert helm.rollbacks == [] and not module.warnings and helm.uninstalls == [('apps', 'orders')]
    assert dict(object='Helm release apps/orders', action='uninstalled') in result['instances'][0]['objects']


def test_a_release_that_is_not_pending_is_left_to_helm():
    helm = FakeHelm()
    svc = FakeService({}, releases={('apps', 'orders'): pending('failed', [(2, 'failed'), (1, 'deployed')])})
    result, svc, module = run({}, service=svc, helm=helm, method='helm')
    assert helm.rollbacks == [] and not module.warnings and len(helm.upgrades) == 1


class RefusingHelm(FakeHelm):
    def prepare(self, params):
        raise DaprSharedError('method helm: /usr/bin/helm is helm v3.12.3; helm 3.13 or later (Helm 3 or 4) is required')


def test_an_unusable_helm_stops_the_run_before_any_change():
    svc = FakeService({})
    svc.namespace_exists = lambda ns: False
    with pytest.raises(DaprSharedError) as err:
        run({}, service=svc, helm=RefusingHelm(), method='helm', create_namespaces=True)
    assert 'v3.12.3' in err.value.msg and svc.applied == [] and svc.deleted == []


def test_a_task_without_helm_does_not_ask_for_it():
    helm = RefusingHelm()
    result, svc, module = run({}, helm=helm)  # method manifests, no release
    assert not result.get('failed') and 'helm_program' not in result


def test_a_removal_of_a_release_checks_helm_before_any_change():
    svc = FakeService({}, releases={('apps', 'orders'): dict(status='deployed', revisions=[(1, 'deployed')])})
    with pytest.raises(DaprSharedError):
        run({}, service=svc, helm=RefusingHelm(), state='absent')
    assert svc.deleted == [] and svc.applied == []


def test_helm_is_prepared_before_any_change_and_nothing_of_it_is_returned():
    helm = FakeHelm()
    result, svc, module = run({}, helm=helm, method='helm')
    assert helm.prepared >= 1 and 'helm_program' not in result and 'python' not in result


@pytest.mark.parametrize('kind', ['Secret', 'ConfigMap'])
def test_releases_are_read_where_helm_driver_keeps_them(kind):
    helm = FakeHelm(kind=kind)
    result, svc, module = run({}, helm=helm, method='helm')
    assert svc.storage_kinds == set([kind])


def test_sql_driver_refused_for_a_helm_task_but_not_for_a_manifests_one():
    class SqlHelm(FakeHelm):
        def storage_kind(self):
            return _helm.storage_kind('sql')

        def prepare(self, params):
            self.storage_kind()

    with pytest.raises(DaprSharedError) as err:
        run({}, helm=SqlHelm(), method='helm')
    assert 'HELM_DRIVER=sql' in err.value.msg
    result, svc, module = run(copy.deepcopy({}), helm=SqlHelm())
    assert not result.get('failed') and svc.storage_kinds == set(['Secret'])
