import pytest

from ansible_collections.daprkit.dapr.plugins.module_utils import _spec as S
from ansible_collections.daprkit.dapr.plugins.module_utils._helm_values import chart_values, split_image, unsupported_fields

CP = dict(namespace='dapr-ops', trust_domain='corp.local', mtls=True)


def values(**kw):
    inst = dict(app_id='orders', namespace='apps')
    inst.update(kw)
    return chart_values(S.apply_defaults(inst), CP, '1.18.2')


def test_defects_compensated():
    shared = values()['shared']
    assert shared['controlPlane']['sentry'] == dict(address='dapr-sentry.dapr-ops.svc.cluster.local', port=443)
    assert shared['controlPlane']['operator']['port'] == 443
    assert shared['controlPlane']['namespace'] == 'dapr-ops' and shared['controlPlane']['trustDomain'] == 'corp.local'
    assert shared['daprd']['serviceAccountIdentityToken']['audience'] == 'spiffe://corp.local/ns/dapr-ops/dapr-sentry'
    assert shared['daprd']['mtls']['enabled'] is True
    assert shared['daprd']['image'] == dict(registry='ghcr.io/dapr', name='daprd', tag='1.18.2', pullPolicy='IfNotPresent')


def test_schema_fields_mapped():
    v = values(strategy='deployment', replicas=2, remote_host='orders', remote_port=8080, log_format='json',
               node_selector={'a': 'b'}, tolerations=[dict(operator='Exists')], annotations={'x': 'y'})
    assert v['shared']['strategy'] == 'deployment' and v['shared']['deployment']['replicas'] == 2
    assert v['shared']['remoteURL'] == 'orders' and v['shared']['remotePort'] == 8080
    assert v['shared']['log']['json'] is True and v['shared']['scheduling']['nodeSelector'] == {'a': 'b'}
    assert v['tolerations'] == [dict(operator='Exists')] and v['podAnnotations'] == {'x': 'y'}


@pytest.mark.parametrize('field,value', [('resources', dict(limits=dict(cpu='1'))), ('priority_class_name', 'high'),
                                         ('labels', dict(a='b')), ('scheduler_address', 's:443'),
                                         ('app_token', dict(enabled=True))])
def test_unexpressible_options_fail_with_field_name(field, value):
    with pytest.raises(ValueError, match='%s is not supported with method: helm' % field):
        values(**{field: value})


def test_mtls_mismatch_fails():
    with pytest.raises(ValueError, match='mtls: disabled'):
        values(mtls='disabled')


def test_split_image():
    assert split_image('localhost:5000/dapr/daprd') == ('localhost:5000/dapr', 'daprd')
    assert unsupported_fields(S.apply_defaults(dict(app_id='a', namespace='b'))) == []
