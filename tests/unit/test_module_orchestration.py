"""dapr_shared's install/remove flow against an in-memory fake of KubeService (pure orchestration;
the real API behaviour is proven by molecule on kind)."""
import copy

import pytest

from ansible_collections.daprkit.dapr.plugins.module_utils import _spec as S
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError, InvalidInstance
from ansible_collections.daprkit.dapr.plugins.module_utils._render import ControlPlane
from ansible_collections.daprkit.dapr.plugins.modules import dapr_shared


class FakeModule(object):
    def __init__(self, check_mode=False, **params):
        self.params = dict((k, None) for k in dapr_shared.argument_spec())
        self.params.update(wait=False, wait_timeout=5)
        self.params.update(params)
        self.check_mode = check_mode
        self._diff = True
        self.no_log_values = set()


class FakeService(object):
    def __init__(self, store, check_mode=False):
        self.store, self.check_mode, self.applied, self.deleted = store, check_mode, [], []

    def _k(self, api, kind, name, ns):
        return (api, kind, ns or '', name)

    def get(self, api, kind, name, ns=None):
        return copy.deepcopy(self.store.get(self._k(api, kind, name, ns)))

    def namespace_exists(self, ns):
        return ns != 'missing'

    def read_control_plane(self, ns=''):
        return ControlPlane('dapr-system', 'cluster.local', 'CERT', True, '1.18.2')

    def read_secret_value(self, ns, name, key):
        import base64
        s = self.store.get(self._k('v1', 'Secret', name, ns))
        return base64.b64decode(s['data'][key]).decode() if s else None

    def foreign_owner(self, obj):
        cur = self.get(obj['apiVersion'], obj['kind'], obj['metadata']['name'], obj['metadata']['namespace'])
        if cur and (cur['metadata'].get('labels') or {}).get(S.LABEL_MANAGED_BY) != S.MANAGED_BY:
            return 'it belongs to someone else'
        return None

    def owned_objects(self, ns, app_id):
        return [copy.deepcopy(o) for o in self.store.values()
                if o['metadata']['namespace'] == ns and o['metadata']['labels'].get(S.LABEL_INSTANCE) == app_id]

    def apply(self, obj):
        self.applied.append(obj['kind'])
        if not self.check_mode:
            self.store[self._k(obj['apiVersion'], obj['kind'], obj['metadata']['name'], obj['metadata']['namespace'])] = copy.deepcopy(obj)
        return copy.deepcopy(obj)

    def delete(self, obj):
        self.deleted.append(obj['kind'])
        if not self.check_mode:
            self.store.pop(self._k(obj['apiVersion'], obj['kind'], obj['metadata']['name'], obj['metadata']['namespace']), None)

    def readiness(self, workload, selector):
        return dict(ready=False), None, []


def run(store, check_mode=False, **params):
    params.setdefault('app_id', 'orders')
    params.setdefault('namespace', 'apps')
    module = FakeModule(check_mode=check_mode, **params)
    svc = FakeService(store, check_mode)
    return dapr_shared.run(module, service_factory=lambda: svc), svc, module


def test_install_then_idempotent_then_check_mode():
    store = {}
    first, unused_svc, module = run(store)
    assert first['changed'] and {o['action'] for o in first['objects']} == {'created'}
    token = list(module.no_log_values)
    assert token and token[0] not in repr(first)
    second = run(store)[0]
    assert not second['changed'], second['objects']
    third, svc, unused = run(store, check_mode=True, strategy='deployment')
    assert third['changed'] and 'DaemonSet' in svc.deleted
    assert any(k[1] == 'DaemonSet' for k in store), 'check mode must not change the store'


def test_switch_strategy_prunes_old_workload():
    store = {}
    run(store)
    result, svc, unused = run(store, strategy='deployment')
    kinds = sorted(k[1] for k in store)
    assert 'DaemonSet' not in kinds and 'Deployment' in kinds
    assert dict(object='DaemonSet apps/orders-dapr-shared', action='deleted') in result['objects']


def test_foreign_service_refused_before_any_change():
    store = {('v1', 'Service', 'apps', 'orders-dapr'): dict(
        apiVersion='v1', kind='Service', metadata=dict(name='orders-dapr', namespace='apps', labels={}))}
    with pytest.raises(DaprSharedError, match='Service apps/orders-dapr already exists and it belongs to someone else'):
        run(store)
    assert len(store) == 1


def test_invalid_input_fails_before_client_is_built():
    built = []
    module = FakeModule(app_id='Bad_Id', namespace='apps')
    with pytest.raises(InvalidInstance, match='app_id must be a DNS-1123 label'):
        dapr_shared.run(module, service_factory=lambda: built.append(1))
    assert built == []


def test_token_kept_and_rotated():
    store = {}
    run(store)
    secret = [o for o in store.values() if o['kind'] == 'Secret'][0]
    run(store)
    assert [o for o in store.values() if o['kind'] == 'Secret'][0]['data'] == secret['data']
    rotated = run(store, api_token=dict(enabled=True, value='r' * 40, secret_name='', secret_key='token'))[0]
    actions = dict((o['object'], o['action']) for o in rotated['objects'])
    assert actions['Secret apps/orders-dapr-api-token'] == 'updated' and actions['DaemonSet apps/orders-dapr-shared'] == 'updated'


def test_remove_deletes_everything_owned():
    store = {}
    run(store)
    result, svc, unused = run(store, state='absent')
    assert store == {} and svc.deleted[0] == 'DaemonSet' and result['changed']
    again = run(store, state='absent')[0]
    assert not again['changed']
