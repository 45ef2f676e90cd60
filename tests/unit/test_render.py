import base64

from ansible_collections.daprkit.dapr.plugins.module_utils import _names as S
from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.module_utils._control_plane import ControlPlane
from ansible_collections.daprkit.dapr.plugins.module_utils._render import render_instance, fingerprint

CP = ControlPlane('dapr-system', 'cluster.local', '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n', True, '1.18.2')


def render(token='t' * 40, **kw):
    inst = dict(app_id='orders', namespace='apps')
    inst.update(kw)
    return dict((o['kind'], o) for o in render_instance(SC.apply_defaults(inst), CP, '1.18.2', dict(api_token=(token, None))))


def daprd(objs, kind='DaemonSet'):
    return objs[kind]['spec']['template']['spec']['containers'][0]


def test_daemonset_object_set_and_local_traffic():
    objs = render()
    assert sorted(objs) == ['ConfigMap', 'Configuration', 'DaemonSet', 'NetworkPolicy', 'Secret', 'Service', 'ServiceAccount']
    assert objs['Configuration']['spec']['features'] == [dict(name='WorkflowsClusteredDeployment', enabled=True)]
    args = objs['DaemonSet']['spec']['template']['spec']['containers'][0]['args']
    assert args[args.index('--config') + 1] == 'orders-dapr-shared'
    assert objs['Service']['metadata']['name'] == 'orders-dapr'
    assert objs['Service']['spec']['internalTrafficPolicy'] == 'Local'
    assert objs['Service']['spec']['selector'] == objs['DaemonSet']['spec']['selector']['matchLabels']


def test_deployment_replicas_and_cluster_traffic():
    objs = render(strategy='deployment', replicas=3)
    assert 'DaemonSet' not in objs
    assert objs['Deployment']['spec']['replicas'] == 3
    assert objs['Service']['spec']['internalTrafficPolicy'] == 'Cluster'


def test_trust_anchor_configmap_holds_only_public_cert():
    cm = render()['ConfigMap']
    assert list(cm['data']) == ['ca.crt'] and 'PRIVATE KEY' not in cm['data']['ca.crt']


def test_daprd_args_compensate_chart_defects():
    args = daprd(render(remote_host='orders.apps', remote_port=8080))['args']
    assert args[0] == '/daprd'
    flag = dict(zip(args, args[1:]))
    assert flag['--sentry-address'] == 'dapr-sentry.dapr-system.svc.cluster.local:443'
    assert flag['--control-plane-address'] == 'dapr-api.dapr-system.svc.cluster.local:443'
    assert flag['--scheduler-host-address'].startswith('dapr-scheduler-server-a.dapr-system')
    assert flag['--app-channel-address'] == 'orders.apps' and flag['--app-port'] == '8080'
    assert flag['--dapr-listen-addresses'] == '0.0.0.0'
    assert '--enable-mtls' in args
    assert '--disable-builtin-k8s-secret-store' in args


def test_no_app_channel_without_port():
    args = daprd(render())['args']
    assert '--app-port' not in args and '--app-channel-address' not in args


def test_hardened_pod():
    objs = render()
    pod = objs['DaemonSet']['spec']['template']['spec']
    sc = daprd(objs)['securityContext']
    assert pod['automountServiceAccountToken'] is False
    assert sc['readOnlyRootFilesystem'] and not sc['allowPrivilegeEscalation'] and sc['capabilities'] == dict(drop=['ALL'])
    assert sc['runAsUser'] == 65532 and pod['securityContext']['seccompProfile']['type'] == 'RuntimeDefault'
    token = pod['volumes'][0]['projected']['sources'][0]['serviceAccountToken']
    assert token['audience'] == 'spiffe://cluster.local/ns/dapr-system/dapr-sentry'


def token_hash(objs):
    return objs['DaemonSet']['spec']['template']['metadata']['annotations'][S.TOKEN_FIELDS[0][3]]


def test_token_secret_and_rolling_hash():
    a, b = render(token='a' * 40), render(token='b' * 40)
    assert base64.b64decode(a['Secret']['data']['token']).decode() == 'a' * 40
    assert token_hash(a) == fingerprint('a' * 40) != token_hash(b)
    env = dict((e['name'], e) for e in daprd(a)['env'])
    assert env['DAPR_API_TOKEN']['valueFrom']['secretKeyRef'] == dict(name='orders-dapr-api-token', key='token')


def test_user_secret_is_referenced_not_rendered():
    inst = SC.apply_defaults(dict(app_id='orders', namespace='apps', api_token=dict(secret_name='mine', secret_key='k')))
    objs = dict((o['kind'], o) for o in render_instance(inst, CP, '1.18.2', dict(api_token=(None, 'h'))))
    assert 'Secret' not in objs
    env = dict((e['name'], e) for e in objs['DaemonSet']['spec']['template']['spec']['containers'][0]['env'])
    assert env['DAPR_API_TOKEN']['valueFrom']['secretKeyRef'] == dict(name='mine', key='k')


def test_token_disabled_has_no_env():
    objs = render(token=None, api_token=dict(enabled=False))
    assert 'Secret' not in objs
    assert 'DAPR_API_TOKEN' not in [e['name'] for e in daprd(objs)['env']]


def test_scheduling_fields_passed_through():
    objs = render(node_selector={'kubernetes.io/os': 'linux'}, tolerations=[dict(operator='Exists')],
                  priority_class_name='high', image_pull_secrets=['regcred'], resources=dict(limits=dict(memory='256Mi')),
                  labels=dict(team='a'), annotations={'x/y': 'z'})
    pod = objs['DaemonSet']['spec']['template']
    assert pod['spec']['nodeSelector'] == {'kubernetes.io/os': 'linux'}
    assert pod['spec']['priorityClassName'] == 'high' and pod['spec']['imagePullSecrets'] == [dict(name='regcred')]
    assert pod['spec']['containers'][0]['resources'] == dict(limits=dict(memory='256Mi'))
    assert pod['metadata']['labels']['team'] == 'a' and objs['Service']['metadata']['labels']['team'] == 'a'
    assert pod['metadata']['annotations']['x/y'] == 'z'


def test_image_and_version_label():
    objs = render(daprd_image='daprkit.local/dapr/daprd')
    assert daprd(objs)['image'] == 'daprkit.local/dapr/daprd:1.18.2'
    assert objs['Service']['metadata']['labels'][S.LABEL_VERSION] == '1.18.2'


def test_network_policy_allow_list():
    np = render(network_policy=dict(client_namespaces=['apps', 'faas'], client_pod_selector={'role': 'client'},
                                    monitoring_namespaces=['monitoring']))['NetworkPolicy']
    assert np['spec']['policyTypes'] == ['Ingress']
    api, internal, metrics = np['spec']['ingress']
    assert [p['port'] for p in api['ports']] == [3500, 50001]
    assert [f['namespaceSelector']['matchLabels']['kubernetes.io/metadata.name'] for f in api['from']] == ['apps', 'faas']
    assert api['from'][0]['podSelector'] == dict(matchLabels={'role': 'client'})
    assert internal['ports'] == [dict(port=50002, protocol='TCP')]
    assert internal['from'][0]['podSelector']['matchExpressions'][0]['key'] == 'dapr.io/app-id'
    assert metrics['ports'] == [dict(port=9090, protocol='TCP')]


def test_peer_rule_any_namespace_by_default_else_listed_and_own():
    dapr_pods = dict(matchExpressions=[dict(key='dapr.io/app-id', operator='Exists')])
    internal = render()['NetworkPolicy']['spec']['ingress'][1]
    assert internal['from'] == [dict(namespaceSelector={}, podSelector=dapr_pods)]
    internal = render(network_policy=dict(peer_namespaces=['faas', 'apps', 'faas']))['NetworkPolicy']['spec']['ingress'][1]
    assert internal['ports'] == [dict(port=50002, protocol='TCP')]
    assert internal['from'] == [dict(namespaceSelector=dict(matchLabels={'kubernetes.io/metadata.name': ns}),
                                     podSelector=dapr_pods) for ns in ('apps', 'faas')]


def test_default_resources_make_daprd_burstable_and_empty_sets_none():
    assert daprd(render())['resources'] == dict(requests=dict(cpu='100m', memory='250Mi'), limits=dict(memory='1000Mi'))
    assert 'cpu' not in daprd(render())['resources']['limits']  # no CPU throttling of a daprd every app shares
    assert 'resources' not in daprd(render(resources={}))


def test_disruption_budget_lets_unready_pods_be_evicted():
    pdb = render(strategy='deployment')['PodDisruptionBudget']
    assert pdb['spec']['unhealthyPodEvictionPolicy'] == 'AlwaysAllow'
    pdb = render(strategy='deployment', disruption_budget=dict(unhealthy_pod_eviction_policy='IfHealthyBudget'))
    assert pdb['PodDisruptionBudget']['spec']['unhealthyPodEvictionPolicy'] == 'IfHealthyBudget'


def test_network_policy_defaults_to_own_namespace_and_no_metrics():
    np = render()['NetworkPolicy']
    assert len(np['spec']['ingress']) == 2
    assert np['spec']['ingress'][0]['from'][0]['namespaceSelector']['matchLabels'] == {'kubernetes.io/metadata.name': 'apps'}
    assert 'NetworkPolicy' not in render(network_policy=dict(enabled=False))


def _empty_selector_maps(node):
    if isinstance(node, dict):
        found = [k for k, v in node.items() if k in ('matchLabels', 'matchExpressions') and not v]
        return found + [x for v in node.values() for x in _empty_selector_maps(v)]
    if isinstance(node, list):
        return [x for v in node for x in _empty_selector_maps(v)]
    return []


def test_rendered_objects_are_in_the_form_the_api_server_stores():
    # an empty matchLabels is dropped by the server; sending it makes every patch a spec change
    objs = render()
    assert objs['NetworkPolicy']['spec']['ingress'][0]['from'][0]['podSelector'] == {}
    assert _empty_selector_maps(list(objs.values())) == []


def test_app_token_secret_env_and_hash():
    inst = SC.apply_defaults(dict(app_id='orders', namespace='apps', app_token=dict(enabled=True)))
    objs = render_instance(inst, CP, '1.18.2', dict(api_token=('a' * 40, None), app_token=('p' * 40, None)))
    secrets = dict((o['metadata']['name'], o) for o in objs if o['kind'] == 'Secret')
    assert sorted(secrets) == ['orders-dapr-api-token', 'orders-dapr-app-token']
    ds = [o for o in objs if o['kind'] == 'DaemonSet'][0]
    env = dict((e['name'], e) for e in ds['spec']['template']['spec']['containers'][0]['env'])
    assert env['APP_API_TOKEN']['valueFrom']['secretKeyRef'] == dict(name='orders-dapr-app-token', key='token')
    assert ds['spec']['template']['metadata']['annotations'][S.TOKEN_FIELDS[1][3]] == fingerprint('p' * 40)
    assert 'APP_API_TOKEN' not in [e['name'] for e in daprd(render())['env']]
