import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.daprkit.dapr.plugins.filter.control_plane import control_plane_crds
from ansible_collections.daprkit.dapr.plugins.filter.shared import shared_instances, shared_names
from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.module_utils._control_plane import ControlPlane
from ansible_collections.daprkit.dapr.plugins.module_utils._render import render_instance
from ansible_collections.daprkit.dapr.plugins.module_utils._info import describe_workload


def test_info_describes_our_workload():
    inst = SC.apply_defaults(dict(app_id='orders', namespace='apps'))
    ds = [o for o in render_instance(inst, ControlPlane('dapr-system', ca_crt='C'), '1.18.1', dict(api_token=('t' * 40, None)))
          if o['kind'] == 'DaemonSet'][0]
    ds['status'] = dict(desiredNumberScheduled=1, numberReady=1, updatedNumberScheduled=1, numberAvailable=1)
    pod = dict(metadata=dict(name='p'), spec=dict(nodeName='w1'), status=dict(conditions=[dict(type='Ready', status='True')]))
    info = describe_workload(ds, [pod], 'cluster.local')
    assert info['backend'] == 'manifests' and info['strategy'] == 'daemonset' and info['app_id'] == 'orders'
    assert info['api_token'] == dict(secret_name='orders-dapr-api-token', secret_key='token')
    assert info['readiness']['ready'] and info['readiness']['nodes'] == {'w1': dict(ready=1, total=1, pods=['p'])}
    assert info['endpoints']['DAPR_HTTP_ENDPOINT'] == 'http://orders-dapr.apps.svc.cluster.local:3500'


def test_info_recognises_chart_workloads():
    chart = dict(kind='Deployment', metadata=dict(name='x-dapr-shared-chart', namespace='n', labels={
        'app.kubernetes.io/managed-by': 'Helm'}, annotations={'meta.helm.sh/release-name': 'x'}),
        spec=dict(replicas=1, template=dict(metadata=dict(annotations={'dapr.io/app-id': 'x'}),
                                            spec=dict(containers=[dict(name='daprd', image='i:1')]))), status={})
    info = describe_workload(chart, [], 'cluster.local')
    assert info['backend'] == 'helm' and info['helm_release'] == 'x' and info['api_token'] is None
    assert not info['readiness']['ready']


def test_filter_applies_role_defaults_and_method():
    instances = [dict(app_id='a', namespace='n'), dict(app_id='b', namespace='n', method='helm', daprd_version='1.17.0')]
    result = shared_instances(instances, dict(method='manifests', daprd_image='reg/daprd', daprd_version=''))
    assert [i['method'] for i in result] == ['manifests', 'helm']
    assert result[0]['daprd_image'] == 'reg/daprd' and result[1]['daprd_version'] == '1.17.0'


def test_filter_reports_every_problem_at_once():
    with pytest.raises(AnsibleFilterError) as err:
        shared_instances([dict(app_id='A'), dict(app_id='b', method='Helm', resources=dict(limits=dict(cpu='1 core')))])
    assert 'app_id must be a DNS-1123 label' in str(err.value)
    assert "instance default/b: method must be one of manifests, helm, got 'Helm'" in str(err.value)


def test_filter_refuses_a_bad_role_default():
    with pytest.raises(AnsibleFilterError, match='dapr_shared_method must be one of manifests, helm'):
        shared_instances([], dict(method='kustomize'))


def test_chart_pods_get_the_same_policy():
    inst = SC.apply_defaults(dict(app_id='x', namespace='n', method='helm'))
    policy = [o for o in render_instance(inst, ControlPlane('dapr-system', ca_crt='C'), '1.18.2')
              if o['kind'] == 'NetworkPolicy'][0]
    assert policy['spec']['podSelector']['matchLabels'] == {'app.kubernetes.io/name': 'dapr-shared-chart',
                                                            'app.kubernetes.io/instance': 'x'}


def test_names_filter_gives_each_backend_its_names():
    assert shared_names('x')['workload'] == 'x-dapr-shared'
    assert shared_names('x', 'helm')['workload'] == 'x-dapr-shared-chart'
    assert shared_names('x', 'helm')['selector'] == 'app.kubernetes.io/instance=x,app.kubernetes.io/name=dapr-shared-chart'
    assert shared_names('x')['service'] == shared_names('x', 'helm')['service'] == 'x-dapr'


def test_shared_names_gives_the_endpoints_only_for_a_namespace():
    assert 'DAPR_HTTP_ENDPOINT' not in shared_names('x') and shared_names('x')['grpc_port'] == 50001
    named = shared_names('x', namespace='apps', cluster_domain='corp.local')
    assert named['host'] == 'x-dapr.apps.svc.corp.local'
    assert named['DAPR_HTTP_ENDPOINT'] == 'http://x-dapr.apps.svc.corp.local:%d' % named['http_port']
    assert named['DAPR_GRPC_ENDPOINT'] == 'http://x-dapr.apps.svc.corp.local:%d' % named['grpc_port']


def _subscription_crd(namespace):
    return {'apiVersion': 'apiextensions.k8s.io/v1', 'kind': 'CustomResourceDefinition',
            'metadata': {'name': 'subscriptions.dapr.io'},
            'spec': {'conversion': {'strategy': 'Webhook', 'webhook': {
                'clientConfig': {'service': {'namespace': namespace, 'name': 'dapr-webhook', 'path': '/convert'}},
                'conversionReviewVersions': ['v1', 'v2alpha1']}}}}


def test_crds_get_the_control_plane_namespace_for_conversion():
    plain = {'apiVersion': 'apiextensions.k8s.io/v1', 'kind': 'CustomResourceDefinition',
             'metadata': {'name': 'components.dapr.io'}, 'spec': {'group': 'dapr.io'}}
    shipped = [plain, _subscription_crd('replaceme')]
    out = control_plane_crds(shipped, 'dapr-system')
    assert out[0] == plain
    assert out[1]['spec']['conversion']['webhook']['clientConfig']['service']['namespace'] == 'dapr-system'
    assert 'caBundle' not in out[1]['spec']['conversion']['webhook']['clientConfig']
    # the input is not modified (it is the registered output of a task)
    assert shipped[1]['spec']['conversion']['webhook']['clientConfig']['service']['namespace'] == 'replaceme'


def test_crds_keep_a_namespace_that_is_not_the_placeholder():
    out = control_plane_crds([_subscription_crd('elsewhere')], 'dapr-system')
    assert out[0]['spec']['conversion']['webhook']['clientConfig']['service']['namespace'] == 'elsewhere'


def test_crds_filter_refuses_bad_input():
    with pytest.raises(AnsibleFilterError, match='list of CRDs'):
        control_plane_crds('not a list', 'dapr-system')
    with pytest.raises(AnsibleFilterError, match='namespace'):
        control_plane_crds([], '')


def test_the_role_hands_the_users_instances_over_with_only_the_role_level_values():
    from ansible_collections.daprkit.dapr.plugins.filter.shared import shared_role_instances
    instances = [dict(app_id='a', namespace='n'), dict(app_id='b', method='', state='present', replicas=0)]
    out = shared_role_instances(instances, dict(method='helm', daprd_image='reg/daprd', daprd_version=''), 'absent')
    assert out == [dict(app_id='a', namespace='n', method='helm', daprd_image='reg/daprd', state='absent'),
                   dict(app_id='b', method='helm', daprd_image='reg/daprd', state='absent', replicas=0)]
    # no schema default and no validation here: the module does both, once (replicas=0 is the module's to refuse)
    assert 'strategy' not in out[0] and instances[0] == dict(app_id='a', namespace='n')
    assert shared_role_instances([dict(app_id='c', method='manifests')], dict(method='helm'))[0]['method'] == 'manifests'


def test_trust_anchors_are_current_only_when_the_template_carries_the_bundles_digest():
    from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError
    from ansible_collections.daprkit.dapr.plugins.module_utils._info import trust_anchors_status
    from ansible_collections.daprkit.dapr.plugins.module_utils._render import fingerprint
    old, new = '-----BEGIN CERTIFICATE-----\nold\n', '-----BEGIN CERTIFICATE-----\nnew\n'
    found = dict(control_plane='dapr-system', hash=fingerprint(old))
    assert trust_anchors_status(found, {'data': {'ca.crt': old}})['current'] is True
    stale = trust_anchors_status(found, {'data': {'ca.crt': new}})
    assert stale['current'] is False and 'stale' in stale['reason'] and stale['control_plane'] == 'dapr-system'
    refused = trust_anchors_status(found, DaprSharedError('forbidden: configmaps'))
    assert refused['current'] is None and 'forbidden: configmaps' in refused['reason']
    assert trust_anchors_status(dict(control_plane=None, hash=None), None)['current'] is None
    assert trust_anchors_status(found, {'data': {}})['current'] is None


def _fleet_entry(app_id, strategy, image, nodes, current):
    ready = sum(n['ready'] for n in nodes.values())
    return dict(app_id=app_id, namespace='dapr-fleet', strategy=strategy, image=image, trust_anchors=dict(current=current),
                readiness=dict(ready_replicas=ready, desired=sum(n['total'] for n in nodes.values()), nodes=nodes))


def test_fleet_table_one_line_per_instance_of_every_cluster():
    from ansible_collections.daprkit.dapr.plugins.filter.shared import fleet_table
    lines = fleet_table({
        'kind-b': [_fleet_entry('edge', 'daemonset', 'reg.local:5000/dapr/daprd:1.18.2',
                                {'b-cp': dict(ready=1, total=1)}, True)],
        'kind-a': [_fleet_entry('edge', 'daemonset', 'daprd@sha256:abc',
                                {'w2': dict(ready=0, total=1), 'w1': dict(ready=1, total=1)}, False),
                   _fleet_entry('central', 'deployment', 'daprd:1.16.0', {}, None)],
        'kind-c': 'unreadable: cannot reach the API server',
        'kind-d': [],
    })
    cells = [[c.strip() for c in line.split(' | ')] for line in lines]
    assert cells[0] == ['cluster', 'instance', 'strategy', 'daprd', 'ready', 'per node', 'trust anchors']
    # sorted by cluster, then namespace/app id; the registry's port is not taken for a tag
    assert cells[1] == ['kind-a', 'dapr-fleet/central', 'deployment', '1.16.0', '0/0', 'no pod', 'unknown']
    assert cells[2] == ['kind-a', 'dapr-fleet/edge', 'daemonset', 'daprd@sha256:abc', '1/2', 'w1 1/1, w2 0/1', 'STALE']
    assert cells[3] == ['kind-b', 'dapr-fleet/edge', 'daemonset', '1.18.2', '1/1', 'b-cp 1/1', 'current']
    assert cells[4][0] == 'kind-c' and cells[4][5] == 'unreadable: cannot reach the API server'
    assert cells[5][:2] == ['kind-d', '(no instance)']
    # aligned: every separator of a column at the same offset
    assert len(set(line.index(' | ') for line in lines)) == 1


def test_fleet_table_refuses_what_is_not_a_map_of_clusters():
    from ansible_collections.daprkit.dapr.plugins.filter.shared import fleet_table
    with pytest.raises(AnsibleFilterError, match='dict of cluster name'):
        fleet_table(['kind-a'])
