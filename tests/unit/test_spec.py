import pytest

from ansible_collections.daprkit.dapr.plugins.module_utils._control_plane import resolve_mtls

from ansible_collections.daprkit.dapr.plugins.module_utils import _names as S
from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.module_utils import _validate as V


def instance(**kw):
    base = dict(app_id='orders', namespace='apps')
    base.update(kw)
    return SC.apply_defaults(base)


def problems(**kw):
    return V.validate_instance(instance(**kw))


def test_defaults_are_valid():
    assert problems() == []


@pytest.mark.parametrize('app_id', ['Orders', '-x', 'a_b', 'x' * 59, '', None])
def test_app_id_must_be_dns_label(app_id):
    found = problems(app_id=app_id)
    assert any('app_id must be a DNS-1123 label' in p or 'app_id is required' in p for p in found), found


def test_app_id_of_58_chars_fits_service_name():
    assert problems(app_id='a' * 58) == []


@pytest.mark.parametrize('host', ['http://orders', 'https://orders:8080'])
def test_remote_host_with_scheme_names_field(host):
    found = problems(remote_host=host, remote_port=8080)
    assert found and 'remote_host must be a bare host' in found[0] and 'instance apps/orders' in found[0]


@pytest.mark.parametrize('host', ['orders:8080', 'orders/x'])
def test_remote_host_with_port_or_path(host):
    assert any('without port or path' in p for p in problems(remote_host=host, remote_port=80))


@pytest.mark.parametrize('host', ['orders', 'orders.apps.svc.cluster.local', '10.0.0.1', '[fd00::1]'])
def test_remote_host_accepts_hosts(host):
    assert problems(remote_host=host, remote_port=80) == []


@pytest.mark.parametrize('port', [-1, 65536, 'x', True])
def test_remote_port_range(port):
    found = problems(remote_port=port, remote_host='h')
    assert any('remote_port must be an integer from 0 to 65535' in p or "remote_port must be a int" in p for p in found), found


def test_remote_port_needs_host():
    assert any('remote_host is required' in p for p in problems(remote_port=8080))


def test_choices_are_listed():
    found = problems(strategy='statefulset')
    assert found == ["instance apps/orders: strategy must be one of daemonset, deployment, got 'statefulset'"]


def test_replicas_only_for_deployment():
    assert any('replicas applies only to strategy deployment' in p for p in problems(replicas=2))
    assert problems(strategy='deployment', replicas=2) == []
    assert any('replicas must be an integer >= 1' in p for p in problems(strategy='deployment', replicas=0))


def test_unknown_field_is_named():
    found = problems(remote_url='x')
    assert found and "unknown field 'remote_url'" in found[0]


def test_token_rules():
    assert any('too short' in p for p in problems(api_token=dict(value='short')))
    assert any('mutually exclusive' in p for p in problems(api_token=dict(value='x' * 40, secret_name='s')))
    assert any('enabled is false' in p for p in problems(api_token=dict(enabled=False, value='x' * 40)))
    assert problems(api_token=dict(value='x' * 32)) == []


def test_image_must_not_carry_tag_and_version_format():
    assert any('daprd_image must be a repository' in p for p in problems(daprd_image='ghcr.io/dapr/daprd:1.16.0'))
    assert problems(daprd_image='localhost:5000/dapr/daprd') == []
    assert any('daprd_version' in p for p in problems(daprd_version='latest'))


def test_addresses_and_metrics_port():
    assert any('sentry_address must be host:port' in p for p in problems(sentry_address='https://s:443'))
    assert any('collides with a daprd port' in p for p in problems(metrics=dict(port=3500)))


def test_app_health_needs_channel():
    assert any('app_health.enabled needs an app channel' in p for p in problems(app_health=dict(enabled=True)))


def test_label_values_checked():
    assert any('labels[team]' in p for p in problems(labels=dict(team='has space')))


def test_duplicates_per_namespace():
    a, b, c = instance(), instance(), instance(namespace='other')
    found = V.validate_instances([a, b, c])
    assert len(found) == 1 and 'duplicate app_id' in found[0]


def test_resolve_mtls():
    assert resolve_mtls('auto', None) is True
    assert resolve_mtls('auto', False) is False
    assert resolve_mtls('enabled', True) is True
    with pytest.raises(ValueError, match='mtls: disabled was requested but the control plane has mTLS enabled'):
        resolve_mtls('disabled', True)


def test_addresses_and_endpoints():
    inst = instance()
    addrs = S.resolve_addresses(inst, 'dapr-system')
    assert addrs['sentry'] == 'dapr-sentry.dapr-system.svc.cluster.local:443'
    assert addrs['scheduler'] == 'dapr-scheduler-server-a.dapr-system.svc.cluster.local:443'
    assert S.resolve_addresses(instance(operator_address='op:1'), 'x')['operator'] == 'op:1'
    assert S.endpoints('orders', 'apps')['DAPR_GRPC_ENDPOINT'] == 'http://orders-dapr.apps.svc.cluster.local:50001'


def test_network_policy_rules():
    assert any('network_policy.client_namespaces entries' in p for p in problems(network_policy=dict(client_namespaces=['Bad NS'])))
    assert any('network_policy.client_pod_selector' in p for p in problems(network_policy=dict(client_pod_selector={'a': 'b c'})))
    assert any('enabled is false' in p for p in problems(network_policy=dict(enabled=False, client_namespaces=['x'])))
    assert any('metrics.enabled is false' in p
               for p in problems(metrics=dict(enabled=False), network_policy=dict(monitoring_namespaces=['mon'])))


def test_app_token_rules_name_the_field():
    assert any('app_token.value is too short' in p for p in problems(app_token=dict(enabled=True, value='x')))
    assert any('app_token.value/secret_name are set but app_token.enabled is false' in p
               for p in problems(app_token=dict(value='x' * 40)))
