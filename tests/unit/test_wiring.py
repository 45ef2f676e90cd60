"""Apps wired from the instance's declaration (`apps`): the partial object wiring applies, the runner's read,
dry-run, apply and unwire steps against a fake that merges applies per field manager as server-side apply
does, and the "current" computation dapr_shared_info reports. The real API server's merge is proven by
molecule on kind (manifests_deployment, helm_daemonset)."""
import base64
import copy
import json

import pytest

from ansible_collections.daprkit.dapr.plugins.module_utils import _info
from ansible_collections.daprkit.dapr.plugins.module_utils import _names as S
from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.module_utils import _validate as V
from ansible_collections.daprkit.dapr.plugins.module_utils import _wiring as W
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError, InvalidInstance
from ansible_collections.daprkit.dapr.plugins.module_utils._render import fingerprint
from ansible_collections.daprkit.dapr.plugins.module_utils._runner import Runner

from test_module_orchestration import CHART, FakeModule, FakeService, fake_control_plane

HTTP = 'http://orders-dapr.apps.svc.cluster.local:3500'
GRPC = 'http://orders-dapr.apps.svc.cluster.local:50001'
TOKEN = 't' * 40


@pytest.fixture(autouse=True)
def _control_plane(monkeypatch):
    monkeypatch.setattr('ansible_collections.daprkit.dapr.plugins.module_utils._control_plane.read', fake_control_plane)


def _env_key(entry):
    return 'k:%s' % json.dumps(dict(name=entry['name']), separators=(',', ':'))


def _fields_of(body):
    """fieldsV1 of an applied partial workload, as the API server records it (enough of it for _wiring)."""
    fields = {}
    annotations = (body.get('metadata') or {}).get('annotations')
    if annotations:
        fields['f:metadata'] = {'f:annotations': dict(('f:' + k, {}) for k in annotations)}
    template = (body.get('spec') or {}).get('template') or {}
    if template:
        spec = {'f:containers': dict((_env_key(c), {'.': {}, 'f:name': {}, 'f:env': dict(
            (_env_key(e), {'.': {}}) for e in c.get('env') or [])}) for c in template['spec']['containers'])}
        meta = dict(('f:' + part, dict(('f:' + k, {}) for k in values))
                    for part, values in (template.get('metadata') or {}).items())
        fields['f:spec'] = {'f:template': dict({'f:spec': spec}, **({'f:metadata': meta} if meta else {}))}
    return fields


class SsaService(FakeService):
    """FakeService, plus the apps' workloads merged from the user's object and each field manager's last applied
    partial object: a value another manager set differently is a conflict (409) unless forced; a manager that
    applies nothing owns nothing, and what it alone set is gone."""

    def __init__(self, store, check_mode=False):
        super(SsaService, self).__init__(store, check_mode)
        self.base, self.intents, self.calls = {}, {}, []

    def add_workload(self, name, namespace='apps', kind='Deployment', containers=('app', 'log'), env=None):
        containers = [dict(name=c, image='registry/%s:1' % c, env=copy.deepcopy(env or [dict(name='USER', value='1')]))
                      for c in containers]
        self.base[('apps/v1', kind, namespace, name)] = dict(
            apiVersion='apps/v1', kind=kind, metadata=dict(name=name, namespace=namespace, labels={'app': name}),
            spec=dict(replicas=2, selector=dict(matchLabels={'app': name}), template=dict(
                metadata=dict(labels={'app': name}, annotations={'team': 'a'}), spec=dict(containers=containers))))

    def workload(self, name, namespace='apps', kind='Deployment'):
        key = ('apps/v1', kind, namespace, name)
        return self._live(key, self.intents.get(key, {}))

    def _live(self, key, intents, force_manager=None):
        obj = copy.deepcopy(self.base[key])
        owner = {}  # field -> (manager, value)
        template = obj['spec']['template']
        for c in template['spec']['containers']:
            for e in c.get('env') or []:
                owner[('env', c['name'], e['name'])] = ('kubectl', e)
        for k, v in template['metadata'].get('labels', {}).items():
            owner[('label', k)] = ('kubectl', v)
        managed = [dict(manager='kubectl', operation='Update', fieldsV1={'f:spec': {}})]
        for manager, body in sorted(intents.items(), key=lambda item: item[0] == force_manager):
            tmpl = body.get('spec', {}).get('template', {})
            obj['metadata'].setdefault('annotations', {}).update(body['metadata'].get('annotations') or {})
            for k, v in (tmpl.get('metadata') or {}).get('labels', {}).items():
                self._claim(owner, ('label', k), manager, v, force_manager)
                template['metadata']['labels'][k] = v
            template['metadata']['annotations'].update((tmpl.get('metadata') or {}).get('annotations') or {})
            for applied in (tmpl.get('spec') or {}).get('containers') or []:
                container = next(c for c in template['spec']['containers'] if c['name'] == applied['name'])
                for e in applied.get('env') or []:
                    self._claim(owner, ('env', applied['name'], e['name']), manager, e, force_manager)
                    container['env'] = [x for x in container['env'] if x['name'] != e['name']] + [copy.deepcopy(e)]
            managed.append(dict(manager=manager, operation='Apply', fieldsV1=_fields_of(body)))
        obj['metadata']['managedFields'] = managed
        return obj

    @staticmethod
    def _claim(owner, field, manager, value, force_manager):
        if field in owner and owner[field][1] != value and manager != force_manager:
            raise DaprSharedError('Apply failed with 1 conflict: conflict with "%s": %s' % (owner[field][0], field),
                                  status=409)
        owner[field] = (manager, value)

    def list(self, api, kind, namespace=None, label_selector=None, field_selector=None):
        """Items as a list answer has them: without apiVersion and kind."""
        if kind in W.KINDS:
            items = [self._live(k, self.intents.get(k, {})) for k in sorted(self.base) if k[1] == kind and k[2] == namespace]
        elif kind == 'Secret' and label_selector == W.COPY_SELECTOR:
            items = [copy.deepcopy(o) for k, o in sorted(self.store.items()) if k[1] == 'Secret' and k[2] == namespace
                     and o['metadata'].get('labels', {}).get(S.LABEL_MANAGED_BY) == W.COPY_MANAGED_BY]
        else:
            return []
        return [dict((k, v) for k, v in item.items() if k not in ('apiVersion', 'kind')) for item in items]

    def apply(self, obj, dry_run=False, field_manager=None, force=True):
        self.calls.append(('apply', obj['kind'], obj['metadata']['name'], dry_run))  # what the runner asked for
        dry_run = dry_run or self.check_mode  # what KubeService does in check mode
        key = (obj['apiVersion'], obj['kind'], obj['metadata']['namespace'], obj['metadata']['name'])
        if key not in self.base:
            return super(SsaService, self).apply(obj, dry_run)
        assert field_manager and field_manager.startswith(W.MANAGER_PREFIX) and force is False
        assert 'selector' not in obj.get('spec', {}), 'a partial apply of an existing workload sends no selector'
        intents = dict(self.intents.get(key, {}))
        if obj.get('spec') or obj['metadata'].get('annotations'):
            intents[field_manager] = copy.deepcopy(obj)
        else:
            intents.pop(field_manager, None)  # the empty intent: the manager owns nothing any more
        live = self._live(key, intents)
        if not dry_run:
            self.intents[key] = intents
            self.applied.append(obj['kind'])
        return live

    def delete(self, obj):
        self.calls.append(('delete', obj['kind'], obj['metadata']['name'], False))
        super(SsaService, self).delete(obj)


def run(svc, check_mode=False, **params):
    if 'instances' not in params:
        params.setdefault('app_id', 'orders')
        params.setdefault('namespace', 'apps')
    module = FakeModule(check_mode=check_mode, **params)
    svc.check_mode = check_mode
    return Runner(module, svc, CHART).run(), module


def _container(workload, name='app'):
    return next(c for c in workload['spec']['template']['spec']['containers'] if c['name'] == name)


def _env(workload, name='app'):
    return dict((e['name'], e) for e in _container(workload, name)['env'])


def _instance(**fields):
    fields.setdefault('app_id', 'orders')
    fields.setdefault('namespace', 'apps')
    return SC.apply_defaults(fields)


# -- the partial object ----------------------------------------------------------------------------
def test_patch_holds_only_what_wiring_owns():
    instance = _instance(network_policy=dict(client_pod_selector={'dapr-client': 'orders'}))
    body = W.patch('Deployment', 'apps', 'web', ['app'], W.expected(instance, 'abc'))
    assert body == dict(apiVersion='apps/v1', kind='Deployment', metadata=dict(
        name='web', namespace='apps', annotations={W.ANNOTATION_INSTANCE: 'apps/orders'}), spec=dict(template=dict(
            metadata=dict(labels={'dapr-client': 'orders'}, annotations={'dapr.daprkit.io/api-token-hash': 'abc'}),
            spec=dict(containers=[dict(name='app', env=[
                dict(name='DAPR_HTTP_ENDPOINT', value=HTTP), dict(name='DAPR_GRPC_ENDPOINT', value=GRPC),
                dict(name='DAPR_API_TOKEN', valueFrom=dict(secretKeyRef=dict(name='orders-dapr-api-token',
                                                                             key='token')))])]))))
    assert W.empty_intent(dict(body, spec={'selector': 1})) == dict(
        apiVersion='apps/v1', kind='Deployment', metadata=dict(name='web', namespace='apps'))


def test_patch_in_another_namespace_reads_the_copy_and_without_token_has_no_token():
    instance = _instance(api_token=dict(secret_name='vault', secret_key='k'))
    env = W.env(W.expected(instance, 'h'), 'clients')
    assert env[2] == dict(name='DAPR_API_TOKEN', valueFrom=dict(secretKeyRef=dict(name='orders.apps.dapr-api-token',
                                                                                  key='k')))
    off = W.patch('StatefulSet', 'apps', 'db', ['a', 'b'], W.expected(_instance(api_token=dict(enabled=False)), 'h'))
    assert [e['name'] for c in off['spec']['template']['spec']['containers'] for e in c['env']] == [
        'DAPR_HTTP_ENDPOINT', 'DAPR_GRPC_ENDPOINT'] * 2
    assert 'metadata' not in off['spec']['template'], 'no token: no hash, no labels: nothing in the template metadata'


def test_field_manager_is_per_instance_and_fits_the_api_limit():
    assert W.field_manager('apps', 'orders') == 'daprkit.dapr-wiring/apps/orders'
    assert W.field_manager('apps', 'orders') != W.field_manager('apps', 'billing') != S.FIELD_MANAGER
    long = W.field_manager('n' * 63, 'a' * 58)
    assert len(long) <= 128 and long.startswith(W.MANAGER_PREFIX) and long != W.field_manager('n' * 63, 'b' * 58)


def test_apps_are_validated_naming_the_field():
    problems = V.validate_instances([
        _instance(apps=[dict(name='web'), dict(name='web'), dict(name='x', namespace='clients'),
                        dict(name='z', namespace='Bad'), dict(name='y', containers=['app', 'app'])]),
        _instance(app_id='billing', apps=[dict(name='web')]),
    ])
    text = '\n'.join(problems)
    assert 'instance apps/orders: apps[1] is Deployment apps/web again (also apps[0])' in text
    assert 'apps[2].namespace: the instance admits clients only from apps' in text
    assert "apps[3].namespace must be a namespace name, got 'Bad'" in text
    assert 'apps[4].containers lists a container twice' in text
    assert 'instance apps/billing: apps[0]: Deployment apps/web is wired by instance apps/orders too' in text
    assert V.validate_instance(_instance(apps=[dict(name='x', namespace='clients')], network_policy=dict(
        client_namespaces=['clients']))) == []
    assert 'apps[0].name is required' in '\n'.join(V.validate_instance(_instance(apps=[dict(kind='Deployment')])))
    assert V.validate_instance(_instance(apps=[dict(name='orders-dapr-shared-chart')])) == [
        "instance apps/orders: apps[0].name: orders-dapr-shared-chart is the instance's own daprd workload, not an app"]
    assert V.validate_instance(_instance(apps=[dict(kind='Job', name='j')])) == [
        "instance apps/orders: apps[0].kind must be one of Deployment, StatefulSet, got 'Job'"]


# -- the runner ------------------------------------------------------------------------------------
def test_wire_is_idempotent_and_unwire_removes_exactly_what_it_added():
    svc = SsaService({})
    svc.add_workload('web')
    original = svc.workload('web')
    result, module = run(svc, apps=[dict(name='web', containers=['app'])],
                         network_policy=dict(client_pod_selector={'dapr-client': 'orders'}))
    web = svc.workload('web')
    env = _env(web)
    assert env['DAPR_HTTP_ENDPOINT']['value'] == HTTP and env['DAPR_GRPC_ENDPOINT']['value'] == GRPC
    assert env['DAPR_API_TOKEN']['valueFrom'] == dict(secretKeyRef=dict(name='orders-dapr-api-token', key='token'))
    assert env['USER'] == dict(name='USER', value='1') and _env(web, 'log') == _env(original, 'log')
    assert web['spec']['template']['metadata']['labels'] == {'app': 'web', 'dapr-client': 'orders'}
    token = [o for o in svc.store.values() if o['kind'] == 'Secret'][0]['data']['token']
    assert web['spec']['template']['metadata']['annotations'] == {
        'team': 'a', 'dapr.daprkit.io/api-token-hash': fingerprint(base64.b64decode(token).decode())}
    entry = result['instances'][0]
    assert entry['apps'] == [dict(object='Deployment apps/web', step='wire', field='apps[0]', action='updated')]
    assert 'Deployment apps/web' in entry['diff']['after'], 'diff mode shows the wired fields'
    assert 'DAPR_HTTP_ENDPOINT' in json.dumps(entry['diff']['after']['Deployment apps/web'])
    applies = len(svc.applied)
    again, module = run(svc, apps=[dict(name='web', containers=['app'])],
                        network_policy=dict(client_pod_selector={'dapr-client': 'orders'}))
    assert not again['changed'] and len(svc.applied) == applies, 'a wired app that is current is not applied again'
    assert again['instances'][0]['apps'][0]['action'] == 'unchanged'
    removed, module = run(svc, apps=[], network_policy=dict(client_pod_selector={'dapr-client': 'orders'}))
    assert removed['changed'] and removed['instances'][0]['apps'] == [
        dict(object='Deployment apps/web', step='unwire', field=None, action='updated')]
    assert svc.workload('web') == original, 'unwiring leaves the workload exactly as its owner made it'
    again, module = run(svc, apps=[], network_policy=dict(client_pod_selector={'dapr-client': 'orders'}))
    assert not again['changed'] and 'apps' not in again['instances'][0], 'nothing left to unwire'


def test_listed_workload_that_does_not_exist_is_refused_before_any_change():
    for check_mode in (False, True):
        svc = SsaService({})
        svc.add_workload('web')
        with pytest.raises(InvalidInstance) as err:
            run(svc, check_mode=check_mode, apps=[dict(name='web', containers=['app', 'nope']), dict(name='gone'),
                                                  dict(kind='StatefulSet', name='web')])
        assert err.value.problems == [
            'instance apps/orders: apps[0].containers: Deployment apps/web has no container nope (it has app, log)',
            'instance apps/orders: apps[1]: Deployment apps/gone does not exist; create it before wiring it, or '
            'remove it from apps',
            'instance apps/orders: apps[2]: StatefulSet apps/web does not exist; create it before wiring it, or '
            'remove it from apps']
        assert svc.calls == [] and svc.store == {}, 'not even a dry run: the apps are read first'


def test_check_mode_makes_only_dry_runs_and_reports_the_wiring():
    svc = SsaService({})
    svc.add_workload('web')
    run(svc)  # the instance itself
    before = (copy.deepcopy(svc.store), copy.deepcopy(svc.intents))
    svc.calls = []
    result, module = run(svc, check_mode=True, apps=[dict(name='web')])
    assert result['changed'] and (svc.store, svc.intents) == before
    assert svc.calls and all(dry for _a, kind, _n, dry in svc.calls if kind == 'Deployment'), svc.calls
    after = result['instances'][0]['diff']['after']['Deployment apps/web']
    assert _env(after, 'log')['DAPR_GRPC_ENDPOINT']['value'] == GRPC, 'every container when containers is empty'


def test_token_rotation_changes_the_hash_annotation_so_the_app_rolls():
    svc = SsaService({})
    svc.add_workload('web')
    run(svc, apps=[dict(name='web')])
    first = svc.workload('web')['spec']['template']['metadata']['annotations'][W.ANNOTATION_TOKEN_HASH]
    result, module = run(svc, apps=[dict(name='web')], api_token=dict(value='r' * 40))
    second = svc.workload('web')['spec']['template']['metadata']['annotations'][W.ANNOTATION_TOKEN_HASH]
    assert first != second == fingerprint('r' * 40)
    daprd = [o for o in svc.store.values() if o['kind'] == 'DaemonSet'][0]
    assert daprd['spec']['template']['metadata']['annotations'][W.ANNOTATION_TOKEN_HASH] == second
    assert result['instances'][0]['apps'][0]['action'] == 'updated'


def test_token_off_removes_the_token_variable_and_warns():
    svc = SsaService({})
    svc.add_workload('web')
    run(svc, apps=[dict(name='web')])
    result, module = run(svc, apps=[dict(name='web')], api_token=dict(enabled=False))
    assert 'DAPR_API_TOKEN' not in _env(svc.workload('web')) and 'DAPR_HTTP_ENDPOINT' in _env(svc.workload('web'))
    assert W.ANNOTATION_TOKEN_HASH not in svc.workload('web')['spec']['template']['metadata']['annotations']
    assert module.warnings == [
        'instance apps/orders: api_token.enabled is false: daprd serves the Dapr APIs of app id orders (state, secrets, '
        'invocation of other apps) to any pod that reaches its Service without a token; its NetworkPolicy is then the '
        'only guard, and only where the cluster\'s network plugin enforces NetworkPolicy.']
    unused, module = run(svc, api_token=dict(enabled=False), network_policy=dict(enabled=False))
    assert 'network_policy is disabled too: nothing guards them' in module.warnings[0]
    unused, module = run(svc)
    assert module.warnings == []


def test_removed_instance_unwires_its_apps_before_its_objects_go():
    svc = SsaService({})
    svc.add_workload('web')
    run(svc, apps=[dict(name='web')])
    svc.calls = []
    result, module = run(svc, state='absent', apps=[dict(name='web')])
    assert 'DAPR_HTTP_ENDPOINT' not in _env(svc.workload('web'))
    real = [(a, k) for a, k, _n, dry in svc.calls if not dry]
    assert real[0] == ('apply', 'Deployment') and ('delete', 'Secret') in real[1:], real
    assert svc.store == {}


def test_app_of_another_namespace_gets_a_copy_of_the_token_which_goes_with_it():
    svc = SsaService({})
    svc.add_workload('web', namespace='clients')
    policy = dict(client_namespaces=['apps', 'clients'])
    result, module = run(svc, apps=[dict(name='web', namespace='clients')], network_policy=policy)
    copy_key = ('v1', 'Secret', 'clients', 'orders.apps.dapr-api-token')
    own = svc.store[('v1', 'Secret', 'apps', 'orders-dapr-api-token')]
    assert svc.store[copy_key]['data'] == own['data']
    assert _env(svc.workload('web', 'clients'))['DAPR_API_TOKEN']['valueFrom']['secretKeyRef']['name'] == copy_key[3]
    assert [a['step'] for a in result['instances'][0]['apps']] == ['copy', 'wire']
    assert not run(svc, apps=[dict(name='web', namespace='clients')], network_policy=policy)[0]['changed']
    result, module = run(svc, apps=[], network_policy=policy)
    assert copy_key not in svc.store and 'DAPR_API_TOKEN' not in _env(svc.workload('web', 'clients'))
    assert [a['step'] for a in result['instances'][0]['apps']] == ['unwire', 'drop']


def test_two_instances_never_take_each_others_fields():
    svc = SsaService({})
    svc.add_workload('web')
    svc.add_workload('api')
    instances = [dict(app_id='orders', namespace='apps', apps=[dict(name='web')]),
                 dict(app_id='billing', namespace='apps', apps=[dict(name='api')])]
    run(svc, instances=instances)
    assert _env(svc.workload('api'))['DAPR_HTTP_ENDPOINT']['value'] == HTTP.replace('orders', 'billing')
    instances[1]['apps'] = []
    run(svc, instances=instances)
    assert 'DAPR_HTTP_ENDPOINT' not in _env(svc.workload('api'))
    assert _env(svc.workload('web'))['DAPR_HTTP_ENDPOINT']['value'] == HTTP, 'the other instance\'s app stays wired'


def test_a_value_another_manager_set_is_a_conflict_refused_before_any_change():
    svc = SsaService({})
    svc.add_workload('web', env=[dict(name='DAPR_HTTP_ENDPOINT', value='http://elsewhere:3500')])
    with pytest.raises(InvalidInstance) as err:
        run(svc, apps=[dict(name='web')])
    assert err.value.problems[0].startswith('instance apps/orders: apps[0]: the API server refuses the wiring of '
                                            'Deployment apps/web: Apply failed with 1 conflict')
    assert 'remove them from its manifest, or leave this app out of apps' in err.value.problems[0]
    assert svc.applied == [] and svc.store == {}


def test_an_unlisted_namespace_we_may_not_read_is_skipped_but_a_listed_one_is_an_error():
    class Forbidden(SsaService):
        def list(self, api, kind, namespace=None, label_selector=None, field_selector=None):
            if kind in W.KINDS and namespace == 'clients':
                raise DaprSharedError('listing Deployment in clients failed: forbidden', status=403)
            return super(Forbidden, self).list(api, kind, namespace, label_selector, field_selector)

    svc = Forbidden({})
    policy = dict(client_namespaces=['apps', 'clients'])
    assert run(svc, network_policy=policy)[0]['changed']
    svc.add_workload('web', namespace='clients')
    with pytest.raises(DaprSharedError, match='forbidden'):
        run(svc, apps=[dict(name='web', namespace='clients')], network_policy=policy)


# -- what dapr_shared_info reports -------------------------------------------------------------------
def test_status_tells_current_from_stale():
    instance = _instance(network_policy=dict(client_pod_selector={'dapr-client': 'orders'}))
    want = W.expected(instance, 'h1')
    svc = SsaService({})
    svc.add_workload('web')
    key = ('apps/v1', 'Deployment', 'apps', 'web')
    manager = W.manager_of(instance)
    svc.intents[key] = {manager: W.patch('Deployment', 'apps', 'web', ['app'], want)}
    assert W.status(svc.workload('web'), want, manager) == dict(
        workload='Deployment apps/web', containers=['app'], current=True, problems=[])
    rotated = dict(want, token_hash='h2')
    moved = dict(want, endpoints=dict(want['endpoints'], DAPR_HTTP_ENDPOINT='http://x:3500'), labels={'tier': 'x'})
    assert W.status(svc.workload('web'), rotated, manager)['problems'] == [
        'its pods were not rolled since the API token changed (dapr.daprkit.io/api-token-hash)']
    stale = W.status(svc.workload('web'), moved, manager)
    assert not stale['current'] and stale['problems'] == [
        "container app: DAPR_HTTP_ENDPOINT is '%s', not 'http://x:3500'" % HTTP,
        "pod label tier is None, not 'x' (the NetworkPolicy admits only tier=x)"]
    off = W.expected(_instance(api_token=dict(enabled=False)), None)
    assert W.status(svc.workload('web'), off, manager)['problems'] == [
        'container app: DAPR_API_TOKEN is set but the instance has no API token']
    other = dict(want, token_ref=['vault', 'k'])
    assert W.status(svc.workload('web'), other, manager)['problems'] == [
        'container app: DAPR_API_TOKEN does not come from Secret vault key k']


class InfoService(SsaService):
    """What dapr_shared_info reads: the daprd workloads by their label, the apps' workloads unlabelled."""

    def list(self, api, kind, namespace=None, label_selector=None, field_selector=None):
        if label_selector == _info.WORKLOAD_SELECTOR:
            return [copy.deepcopy(o) for k, o in sorted(self.store.items()) if k[1] == kind
                    and (namespace is None or k[2] == namespace)]
        return super(InfoService, self).list(api, kind, namespace, label_selector, field_selector)


def test_info_reports_the_wired_apps_and_whether_each_is_current():
    svc = InfoService({})
    svc.add_workload('web')
    svc.add_workload('db', kind='StatefulSet')
    svc.add_workload('other')
    policy = dict(client_pod_selector={'dapr-client': 'orders'})
    run(svc, apps=[dict(name='web'), dict(kind='StatefulSet', name='db', containers=['log'])], network_policy=policy)
    [entry] = _info.gather(svc)
    assert entry['apps_reason'] is None and entry['apps'] == [
        dict(workload='Deployment apps/web', containers=['app', 'log'], current=True, problems=[]),
        dict(workload='StatefulSet apps/db', containers=['log'], current=True, problems=[])]
    # the daprd pods got a new token (Helm rolled them, say) but the apps were not wired since
    daprd = [o for o in svc.store.values() if o['kind'] == 'DaemonSet'][0]
    daprd['spec']['template']['metadata']['annotations'][W.ANNOTATION_TOKEN_HASH] = 'new'
    # and the NetworkPolicy now wants another label
    netpol = [o for o in svc.store.values() if o['kind'] == 'NetworkPolicy'][0]
    netpol['spec']['ingress'][0]['from'][0]['podSelector']['matchLabels'] = {'tier': 'front'}
    [entry] = _info.gather(svc)
    web = entry['apps'][0]
    assert not web['current'] and web['problems'] == [
        "pod label tier is None, not 'front' (the NetworkPolicy admits only tier=front)",
        'its pods were not rolled since the API token changed (dapr.daprkit.io/api-token-hash)']


def test_info_says_why_it_cannot_tell():
    class NoPolicyRight(InfoService):
        def get(self, api, kind, name, ns=None):
            if kind == 'NetworkPolicy' and self.refuse:
                raise DaprSharedError('reading NetworkPolicy apps/orders-dapr-shared failed: forbidden', status=403)
            return super(NoPolicyRight, self).get(api, kind, name, ns)

    svc = NoPolicyRight({})
    svc.refuse = False
    run(svc)
    svc.refuse = True
    [entry] = _info.gather(svc)
    assert entry['apps'] is None and 'forbidden' in entry['apps_reason']


def test_workloads_are_listed_once_per_kind_and_namespace_whatever_the_number_of_instances():
    class Counting(SsaService):
        def __init__(self, store):
            super(Counting, self).__init__(store)
            self.lists = []

        def list(self, api, kind, namespace=None, label_selector=None, field_selector=None):
            self.lists.append((kind, namespace))
            return super(Counting, self).list(api, kind, namespace, label_selector, field_selector)

    svc = Counting({})
    for name in ('a', 'b', 'c'):
        svc.add_workload(name)
    policy = dict(client_namespaces=['apps', 'clients'])
    run(svc, instances=[dict(app_id='x%d' % i, namespace='apps', network_policy=policy, apps=[dict(name=name)])
                        for i, name in enumerate(('a', 'b', 'c'))])
    assert sorted(svc.lists) == sorted((kind, ns) for ns in ('apps', 'clients')
                                       for kind in ('Deployment', 'StatefulSet', 'Secret'))
