"""Whether a daprd's app is there (_app.py): pure logic over Services and EndpointSlices as the API returns them."""
import pytest

from ansible_collections.daprkit.dapr.plugins.module_utils import _app
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError

PODS = [dict(pod='d-1', node='w1'), dict(pod='d-2', node='w2')]


def endpoint_slice(*endpoints):
    return dict(endpoints=[dict(addresses=['10.0.0.%d' % i], nodeName=node, targetRef=dict(name='app-%d' % i),
                                conditions=dict(ready=ready)) for i, (node, ready) in enumerate(endpoints)])


def service(policy='Cluster', kind='ClusterIP'):
    return dict(metadata=dict(name='orders', namespace='apps'), spec=dict(type=kind, internalTrafficPolicy=policy))


@pytest.mark.parametrize('host, expected', [
    ('orders', 'apps/orders'),
    ('orders.shop', 'shop/orders'),
    ('orders.shop.svc', 'shop/orders'),
    ('orders.shop.svc.cluster.local', 'shop/orders'),
    ('orders.shop.svc.cluster.local.', 'shop/orders'),
    ('orders.shop.svc.other.domain', None),
    ('10.1.2.3', None),
    ('api.example.com', None),
    ('localhost', None),
])
def test_the_service_remote_host_names(host, expected):
    assert _app.target_of(host, 8080, 'apps', 'cluster.local').service == expected


def test_no_app_channel_means_no_target():
    assert _app.target_of('orders', 0, 'apps', 'cluster.local') is None
    assert _app.presence(None, None, [], PODS)['reachable'] is None


def test_target_of_a_daprd_container_reads_its_flags():
    container = dict(args=['/daprd', '--app-port', '8080', '--app-channel-address=orders.shop.svc.cluster.local'])
    target = _app.target_of_container(container, 'apps', 'cluster.local')
    assert (target.service, target.port) == ('shop/orders', 8080)
    assert _app.target_of_container(dict(args=['/daprd', '--app-port', '0']), 'apps', 'cluster.local') is None


def test_an_app_scaled_to_zero_is_absent_for_every_pod():
    target = _app.target_of('orders', 8080, 'apps', 'cluster.local')
    app = _app.presence(target, service(), [endpoint_slice()], PODS)
    assert app['reachable'] is False and app['ready_endpoints'] == 0
    assert [p['reachable'] for p in app['pods']] == [False, False]
    assert 'Service apps/orders has 0 ready endpoints' in app['reason']
    warning = _app.absence_warning('instance apps/orders', target, app)
    assert 'remote_host orders' in warning and 'did not wait' in warning


def test_unready_endpoints_do_not_count_and_dual_stack_counts_once():
    target = _app.target_of('orders', 8080, 'apps', 'cluster.local')
    both = endpoint_slice(('w1', True), ('w2', False))
    app = _app.presence(target, service(), [both, both], PODS)
    assert app['ready_endpoints'] == 1
    assert app['reachable'] is True, 'with traffic policy Cluster one ready endpoint serves every daprd'
    assert _app.absence_warning('x', target, app) is None


def test_local_traffic_policy_counts_only_the_daprd_node():
    target = _app.target_of('orders', 8080, 'apps', 'cluster.local')
    app = _app.presence(target, service('Local'), [endpoint_slice(('w1', True))], PODS)
    assert [(p['pod'], p['reachable']) for p in app['pods']] == [('d-1', True), ('d-2', False)]
    assert app['reachable'] is False and 'none on node w2' in app['reason']


def test_a_missing_service_and_an_external_name_are_told_apart():
    target = _app.target_of('orders', 8080, 'apps', 'cluster.local')
    assert 'does not exist' in _app.presence(target, None, [], PODS)['reason']
    assert _app.presence(target, None, [], PODS)['reachable'] is False
    external = _app.presence(target, service(kind='ExternalName'), [], PODS)
    assert external['reachable'] is None and 'ExternalName' in external['reason']


def test_daprd_pods_from_a_readiness_summary():
    summary = dict(nodes={'w2': dict(pods=['d-2']), 'w1': dict(pods=['d-1', 'd-3'])})
    assert _app.daprd_pods(summary) == [dict(pod='d-1', node='w1'), dict(pod='d-3', node='w1'), dict(pod='d-2', node='w2')]


def test_a_refused_read_makes_presence_unknown_not_a_failure():
    class Refusing(object):
        def get(self, *_args, **_kwargs):
            raise DaprSharedError('reading Service apps/orders failed: forbidden')
    app = _app.read_presence(Refusing(), _app.target_of('orders', 8080, 'apps', 'cluster.local'), PODS)
    assert app['reachable'] is None and 'forbidden' in app['reason']
