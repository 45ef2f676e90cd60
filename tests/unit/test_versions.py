"""Dapr's version policy (module_utils/_versions.py) and where it is enforced: the control-plane role's
filter and the dapr_shared module's runner, both before anything in the cluster changes."""
import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.daprkit.dapr.plugins.filter.control_plane import control_plane_upgrade
from ansible_collections.daprkit.dapr.plugins.module_utils import _versions as VS
from ansible_collections.daprkit.dapr.plugins.module_utils._control_plane import ControlPlane
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import InvalidInstance
from ansible_collections.daprkit.dapr.plugins.module_utils._runner import Runner

from test_module_orchestration import CHART, FakeModule, FakeService


@pytest.mark.parametrize('version, minor', [
    ('1.18.2', (1, 18)), ('v1.16.0', (1, 16)), ('1.18.2-second', (1, 18)), ('1.19', (1, 19)), ('1.18.0-rc.1', (1, 18)),
    ('dev', None), ('', None), (None, None), ('latest', None), ('sha256:abcd', None), ('1', None), ('1.18x', None)])
def test_minor_of(version, minor):
    assert VS.minor_of(version) == minor


# -- control plane: one minor at a time ------------------------------------------------------------------
@pytest.mark.parametrize('running, requested', [
    ('', '1.18.2'),            # an install
    ('1.18.2', '1.18.2'),      # a re-run
    ('1.17.5', '1.18.2'),      # the next minor
    ('1.18.2', '1.17.5'),      # a downgrade is not an upgrade: not this rule
])
def test_supported_control_plane_moves_pass(running, requested):
    check = VS.control_plane_upgrade(running, requested)
    assert check['allowed'] and not check['message'] and not check['warning']


def test_skipping_a_minor_is_refused_naming_both_versions_and_the_path():
    check = VS.control_plane_upgrade('1.16.0', '1.18.2', override='dapr_control_plane_allow_unsupported_upgrade')
    assert not check['allowed']
    assert '1.16.0 -> 1.18.2' in check['message']
    assert 'supported path is 1.16 -> 1.17 -> 1.18' in check['message']
    assert 'dapr_control_plane_allow_unsupported_upgrade: true' in check['message']
    assert VS.upgrade_path('1.15.1', '1.18.0') == ['1.15', '1.16', '1.17', '1.18']


def test_the_override_lets_it_through_with_a_warning():
    check = VS.control_plane_upgrade('1.16.0', '1.18.2', allow_unsupported=True, override='the_override')
    assert check['allowed'] and not check['message']
    assert 'unsupported by Dapr' in check['warning'] and 'the_override is true' in check['warning']


@pytest.mark.parametrize('running, requested', [('dev', '1.18.2'), ('1.16.0', 'my-build')])
def test_an_unreadable_version_is_not_judged_but_said(running, requested):
    check = VS.control_plane_upgrade(running, requested)
    assert check['allowed'] and 'is not checked' in check['warning']


def test_the_role_filter_reads_the_running_version_of_its_namespace():
    running = [dict(namespace='dapr-system', version='1.16.0')]
    refused = control_plane_upgrade(running, 'dapr-system', '1.18.2')
    assert not refused['allowed'] and refused['running'] == '1.16.0'
    assert 'dapr_control_plane_allow_unsupported_upgrade' in refused['message']
    assert control_plane_upgrade(running, 'dapr-system', '1.18.2', True)['allowed']
    # no control plane in this namespace (another namespace is the role's other refusal): an install
    assert control_plane_upgrade([dict(namespace='other', version='1.10.0')], 'dapr-system', '1.18.2')['allowed']
    assert control_plane_upgrade([], 'dapr-system', '1.18.2')['allowed']
    with pytest.raises(AnsibleFilterError, match='list of control planes'):
        control_plane_upgrade('1.16.0', 'dapr-system', '1.18.2')


# -- daprd: at most one minor behind its control plane -----------------------------------------------------
@pytest.mark.parametrize('daprd', ['1.18.2', '1.18.0', '1.17.9', 'v1.17.0', '1.18.2-second'])
def test_daprd_within_one_minor_behind_passes(daprd):
    assert VS.daprd_skew('instance apps/orders', daprd, '1.18.2', 'dapr-system') == (None, None)


@pytest.mark.parametrize('daprd, how', [('1.16.0', 'is 2 minor versions behind the control plane 1.18.2'),
                                        ('1.19.0', 'is newer than the control plane 1.18.2'),
                                        ('0.18.0', 'is a major version behind the control plane 1.18.2')])
def test_daprd_too_old_or_newer_is_refused_naming_instance_field_and_versions(daprd, how):
    problem, warning = VS.daprd_skew('instance apps/orders', daprd, '1.18.2', 'dapr-system')
    assert warning is None
    assert problem.startswith('instance apps/orders: daprd_version: daprd %s %s in dapr-system' % (daprd, how))
    assert '1.17.x or 1.18.x' in problem and 'allow_version_skew: true' in problem


def test_daprd_skew_override_warns_instead():
    problem, warning = VS.daprd_skew('instance apps/orders', '1.16.0', '1.18.2', 'dapr-system', allow_skew=True)
    assert problem is None and 'allow_version_skew is true' in warning


@pytest.mark.parametrize('daprd, control_plane', [('1.16.0', 'dev'), ('1.16.0', ''), ('my-build', '1.18.2')])
def test_daprd_skew_unknown_version_is_not_refused_but_said(daprd, control_plane):
    problem, warning = VS.daprd_skew('instance apps/orders', daprd, control_plane, 'dapr-system')
    assert problem is None and 'instance apps/orders: daprd_version' in warning and 'is not checked' in warning


# -- the module refuses before any change ------------------------------------------------------------------
def _run(monkeypatch, control_plane_version, **params):
    monkeypatch.setattr('ansible_collections.daprkit.dapr.plugins.module_utils._control_plane.read',
                        lambda service, namespace='': ControlPlane('dapr-system', 'cluster.local', 'CERT', True,
                                                                   control_plane_version))
    store = {}
    service = FakeService(store)
    created = []
    service.namespace_exists = lambda ns: False  # a missing namespace, to be created: the first possible change
    service.apply = lambda obj, dry_run=False: created.append(obj) or obj
    params.setdefault('app_id', 'orders')
    params.setdefault('namespace', 'apps')
    module = FakeModule(create_namespaces=True, **params)
    try:
        return Runner(module, service, CHART).run(), module, created
    except InvalidInstance as exc:
        return exc, module, created


@pytest.mark.parametrize('method', ['manifests', 'helm'])
def test_module_refuses_a_daprd_two_minors_behind_before_creating_anything(monkeypatch, method):
    error, module, created = _run(monkeypatch, '1.18.2', daprd_version='1.16.0', method=method)
    assert isinstance(error, InvalidInstance), error
    assert error.problems == [p for p in error.problems if p.startswith('instance apps/orders: daprd_version: daprd 1.16.0')]
    assert 'control plane 1.18.2' in error.msg and created == [], 'nothing may be created before the refusal'


def test_module_refuses_every_instance_at_once(monkeypatch):
    error, unused, created = _run(monkeypatch, '1.18.2', app_id=None, instances=[
        dict(app_id='a', namespace='apps', daprd_version='1.19.0'), dict(app_id='b', namespace='apps'),
        dict(app_id='c', namespace='apps', daprd_version='1.15.0')])
    assert [p.split(':')[0] for p in error.problems] == ['instance apps/a', 'instance apps/c'] and created == []


def test_module_override_runs_it_and_warns(monkeypatch):
    result, module, created = _run(monkeypatch, '1.18.2', daprd_version='1.16.0', allow_version_skew=True)
    assert not isinstance(result, InvalidInstance), result
    assert created and any('allow_version_skew is true' in w for w in module.warnings)


def test_module_unknown_control_plane_version_warns_and_runs(monkeypatch):
    result, module, created = _run(monkeypatch, 'dev', daprd_version='1.16.0')
    assert not isinstance(result, InvalidInstance), result
    assert any("reports version 'dev'" in w and 'is not checked' in w for w in module.warnings)


def test_module_without_daprd_version_runs_the_control_planes_own(monkeypatch):
    result, module, unused = _run(monkeypatch, '1.18.2')
    assert not isinstance(result, InvalidInstance) and module.warnings == []
