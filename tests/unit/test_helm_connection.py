"""Helm runs with the module's own identity: the kubeconfig written for each run, from the client
kubernetes.core builds for the module (every K8S_AUTH_* option), and the wrapper that makes it Helm's only
connection. No cluster: kubernetes.core builds its client without calling the API server."""
import base64
import os
import subprocess

import kubernetes
import pytest
import yaml

from ansible_collections.daprkit.dapr.plugins.module_utils import _client
from ansible_collections.daprkit.dapr.plugins.module_utils import _helm_connection as HC
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError
from ansible_collections.daprkit.dapr.plugins.module_utils._helm_host import HelmHost
from ansible_collections.daprkit.dapr.plugins.modules import dapr_shared

CA, CERT, KEY = b'-----BEGIN CERTIFICATE-----\nCA\n', b'-----BEGIN CERTIFICATE-----\nME\n', b'-----BEGIN KEY-----\nK\n'


def b64(data):
    return base64.b64encode(data).decode()


def conn(**over):
    base = dict(host='https://api.example:6443', verify_ssl=True, ca_data=CA, authorization='Bearer tok',
                tls_server_name=None, proxy=None, no_proxy=None, proxy_headers=None, impersonate_groups=[],
                other_headers=[])
    base.update(over)
    return base


def user_and_cluster(config):
    assert config['current-context'] == 'daprkit' and len(config['contexts']) == 1
    return config['users'][0]['user'], config['clusters'][0]['cluster']


def test_token_ca_and_impersonation_are_carried():
    config, refused = HC.kubeconfig(conn(impersonate_user='system:serviceaccount:sys:awx',
                                         impersonate_groups=['team-a', 'team-b']))
    user, cluster = user_and_cluster(config)
    assert refused == []
    assert cluster == {'server': 'https://api.example:6443', 'certificate-authority-data': b64(CA)}
    assert user == {'token': 'tok', 'as': 'system:serviceaccount:sys:awx', 'as-groups': ['team-a', 'team-b']}
    assert HC.secrets_of(config) == set(['tok'])


def test_client_certificate_insecure_and_tls_server_name():
    config, refused = HC.kubeconfig(conn(authorization=None, cert_data=CERT, key_data=KEY, verify_ssl=False,
                                         tls_server_name='kubernetes.default'))
    user, cluster = user_and_cluster(config)
    assert refused == []
    # client-go refuses a CA together with insecure-skip-tls-verify: the module's client does not check it either
    assert cluster == {'server': 'https://api.example:6443', 'insecure-skip-tls-verify': True,
                       'tls-server-name': 'kubernetes.default'}
    assert user == {'client-certificate-data': b64(CERT), 'client-key-data': b64(KEY)}
    assert HC.secrets_of(config) == set([b64(KEY)])


def test_basic_auth_becomes_username_and_password():
    config, refused = HC.kubeconfig(conn(authorization='Basic ' + b64(b'admin:s3cret:x')))
    assert config['users'][0]['user'] == {'username': 'admin', 'password': 's3cret:x'} and refused == []


def test_proxy_with_basic_auth_goes_into_proxy_url():
    headers = {'proxy-authorization': 'Basic ' + b64(b'pu:p@ss')}
    config, refused = HC.kubeconfig(conn(proxy='http://proxy.corp:3128', proxy_headers=headers))
    assert config['clusters'][0]['cluster']['proxy-url'] == 'http://pu:p%40ss@proxy.corp:3128' and refused == []
    assert 'http://pu:p%40ss@proxy.corp:3128' in HC.secrets_of(config)


@pytest.mark.parametrize('no_proxy, bypassed', [
    ('api.example', True), ('.example', True), ('example', True), ('api.example:6443', True), ('*', True),
    ('other.example, 10.0.0.0/8', False), ('', False), (None, False),
])
def test_no_proxy_decides_whether_the_one_server_goes_through_the_proxy(no_proxy, bypassed):
    config, unused = HC.kubeconfig(conn(proxy='http://proxy.corp:3128', no_proxy=no_proxy))
    assert ('proxy-url' not in config['clusters'][0]['cluster']) is bypassed


def test_no_proxy_matches_cidrs_for_an_ip_server():
    assert HC.bypasses_proxy('https://10.1.2.3:6443', 'foo, 10.0.0.0/8')
    assert not HC.bypasses_proxy('https://192.168.1.3:6443', '10.0.0.0/8')


def test_what_a_kubeconfig_cannot_say_is_refused_by_name():
    headers = {'user-agent': 'me', 'authorization': 'Basic ' + b64(b'a:b'), 'x-extra': '1'}
    unused, refused = HC.kubeconfig(conn(proxy='http://proxy:1', proxy_headers=headers,
                                         authorization='Negotiate abc', other_headers=['Impersonate-Extra-Scopes']))
    assert refused == ['proxy_headers.basic_auth', 'proxy_headers.user_agent', 'proxy_headers (x-extra)',
                       'api_key (an Authorization scheme other than Bearer or Basic)',
                       'header Impersonate-Extra-Scopes']


def test_the_wrapper_makes_the_kubeconfig_helms_only_connection(tmp_path):
    fake = tmp_path / "it's helm"
    fake.write_text('#!/bin/sh\necho "args=$*"\nenv | grep -E "^(HELM_|KUBECONFIG=)" | sort\n')
    fake.chmod(0o755)
    wrapper = tmp_path / 'helm'
    wrapper.write_text(HC.wrapper(str(fake), str(tmp_path / 'kube config'), str(tmp_path / 'plugins')))
    wrapper.chmod(0o700)
    env = dict(PATH=os.environ['PATH'], HELM_KUBETOKEN='admin', HELM_KUBEASUSER='x', HELM_KUBECONTEXT='c',
               HELM_KUBEAPISERVER='https://elsewhere', HELM_KUBECAFILE='/ca', HELM_KUBEINSECURE_SKIP_TLS_VERIFY='true',
               HELM_KUBEASGROUPS='g', HELM_KUBETLS_SERVER_NAME='n', KUBECONFIG='/root/.kube/config',
               HELM_PLUGINS='/root/.local/share/helm/plugins', HELM_NAMESPACE='apps', HELM_DRIVER='configmap')
    out = subprocess.check_output([str(wrapper), 'upgrade', 'a b'], env=env).decode().splitlines()
    assert out == ['args=upgrade a b', 'HELM_DRIVER=configmap', 'HELM_NAMESPACE=apps',
                   'HELM_PLUGINS=%s' % (tmp_path / 'plugins'), 'KUBECONFIG=%s' % (tmp_path / 'kube config')]


# -- from the module's options, through kubernetes.core's own client ---------------------------------

@pytest.fixture
def pki(tmp_path):
    paths = {}
    for name, data in (('ca', CA), ('cert', CERT), ('key', KEY)):
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    return paths


def params(**over):
    spec = dapr_shared.argument_spec()
    p = dict((k, v.get('default')) for k, v in spec.items())
    p.update(over)
    return p


class NoDiscovery(object):
    """kubernetes.core's dynamic client asks the server for /version when made: these tests have no server."""

    def __init__(self, client, discoverer=None):
        self.client = client


def clean_env(monkeypatch):
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s import client as kcore_client
    monkeypatch.setattr(kcore_client.k8sdynamicclient, 'K8SDynamicClient', NoDiscovery)
    monkeypatch.setattr(kcore_client, '_pool', {})
    # a module process loads one configuration; these tests load several into the library's default
    monkeypatch.setattr(kubernetes.client.Configuration, '_default', None)
    for name in list(os.environ):
        if name.startswith('K8S_AUTH_') or name == 'KUBECONFIG':
            monkeypatch.delenv(name)


def test_k8s_auth_variables_reach_helm_impersonation_included(monkeypatch, pki):
    clean_env(monkeypatch)
    monkeypatch.setenv('K8S_AUTH_HOST', 'https://10.9.8.7:6443')
    monkeypatch.setenv('K8S_AUTH_API_KEY', 'sa-token-1')
    monkeypatch.setenv('K8S_AUTH_SSL_CA_CERT', str(pki['ca']))
    monkeypatch.setenv('K8S_AUTH_IMPERSONATE_USER', 'system:serviceaccount:dk-awx-sys:awx')
    monkeypatch.setenv('K8S_AUTH_IMPERSONATE_GROUPS', 'g1,g2')
    monkeypatch.setenv('K8S_AUTH_PROXY', 'http://proxy.corp:3128')
    monkeypatch.setenv('K8S_AUTH_NO_PROXY', 'corp')
    config, refused = HC.kubeconfig(_client.connection(params()))
    user, cluster = user_and_cluster(config)
    assert refused == []
    assert cluster == {'server': 'https://10.9.8.7:6443', 'certificate-authority-data': b64(CA),
                       'proxy-url': 'http://proxy.corp:3128'}
    assert user == {'token': 'sa-token-1', 'as': 'system:serviceaccount:dk-awx-sys:awx', 'as-groups': ['g1', 'g2']}


def test_options_win_over_variables_as_in_the_module_client(monkeypatch, pki):
    clean_env(monkeypatch)
    monkeypatch.setenv('K8S_AUTH_API_KEY', 'from-env')
    config, refused = HC.kubeconfig(_client.connection(params(
        host='https://api.example:6443', client_cert=str(pki['cert']), client_key=str(pki['key']),
        ca_cert=str(pki['ca']), impersonate_user='alice')))
    user, cluster = user_and_cluster(config)
    assert user == {'token': 'from-env', 'client-certificate-data': b64(CERT), 'client-key-data': b64(KEY),
                    'as': 'alice'}
    assert cluster['certificate-authority-data'] == b64(CA) and refused == []


def test_an_in_memory_kubeconfig_and_its_context_are_resolved_first(monkeypatch):
    clean_env(monkeypatch)
    kubeconfig = dict(apiVersion='v1', kind='Config', **{'current-context': 'a'})
    kubeconfig['clusters'] = [dict(name='ca', cluster=dict(server='https://a:6443', **{
        'certificate-authority-data': b64(CA)})), dict(name='cb', cluster=dict(server='https://b:6443'))]
    kubeconfig['users'] = [dict(name='ua', user=dict(token='ta')), dict(name='ub', user={
        'client-certificate-data': b64(CERT), 'client-key-data': b64(KEY)})]
    kubeconfig['contexts'] = [dict(name='a', context=dict(cluster='ca', user='ua')),
                              dict(name='b', context=dict(cluster='cb', user='ub'))]
    config, refused = HC.kubeconfig(_client.connection(params(kubeconfig=kubeconfig, context='b', validate_certs=False)))
    user, cluster = user_and_cluster(config)
    assert cluster == {'server': 'https://b:6443', 'insecure-skip-tls-verify': True} and refused == []
    assert user == {'client-certificate-data': b64(CERT), 'client-key-data': b64(KEY)}


class FileModule(object):
    def __init__(self):
        self.no_log_values = set()

    def get_bin_path(self, name):
        return '/opt/helm 4/helm'

    def run_command(self, argv):
        return 0, 'version.BuildInfo{Version:"v4.3.2"}', ''


def test_prepare_writes_a_private_kubeconfig_and_wrapper_and_hides_the_token(monkeypatch, tmp_path):
    clean_env(monkeypatch)
    module = FileModule()
    host = HelmHost(module, str(tmp_path / 'run'), environ={})
    files = host.prepare(params(host='https://api.example:6443', api_key='tok-123', impersonate_user='bob'))
    assert files['post_renderer'] == 'plugin' and files['helm'] == str(tmp_path / 'run' / 'helm')
    assert oct(os.stat(files['kubeconfig']).st_mode & 0o777) == '0o600'
    assert oct(os.stat(files['helm']).st_mode & 0o777) == '0o700'
    written = yaml.safe_load(open(files['kubeconfig']))
    assert written['users'][0]['user'] == {'token': 'tok-123', 'as': 'bob'}
    assert "exec '/opt/helm 4/helm'" in open(files['helm']).read()
    assert 'tok-123' in module.no_log_values and 'tok-123' not in repr(files)


def test_prepare_refuses_before_writing_anything_naming_the_options(monkeypatch, tmp_path):
    clean_env(monkeypatch)
    host = HelmHost(FileModule(), str(tmp_path / 'run'), environ={})
    with pytest.raises(DaprSharedError) as err:
        host.prepare(params(host='https://api.example:6443', api_key='t', proxy='http://p:1',
                            proxy_headers=dict(user_agent='me')))
    assert 'proxy_headers.user_agent' in err.value.msg and 'Nothing was changed' in err.value.msg
    assert not (tmp_path / 'run').exists()


@pytest.mark.parametrize('params_, environ, dropped', [
    ({}, {}, []),
    ({}, dict(K8S_AUTH_HOST='h', K8S_AUTH_API_KEY='t', K8S_AUTH_SSL_CA_CERT='/ca', K8S_AUTH_PERSIST_CONFIG='yes'), []),
    ({}, dict(K8S_AUTH_IMPERSONATE_USER='system:serviceaccount:s:a'), ['impersonate_user']),
    (dict(impersonate_groups=['g']), dict(K8S_AUTH_CERT_FILE='/c', K8S_AUTH_KEY_FILE='/k'),
     ['impersonate_groups', 'client_cert', 'client_key']),
    (dict(proxy='http://p:1', proxy_headers=dict(user_agent=None, basic_auth=None)), {}, ['proxy']),
    (dict(username='u', password='p'), dict(K8S_AUTH_PROXY_HEADERS_USER_AGENT='x'), ['username', 'password', 'proxy_headers']),
])
def test_what_kubernetes_core_helm_would_drop_is_named_for_the_control_plane_role(params_, environ, dropped):
    assert HC.dropped_by_helm_module(params_, environ) == dropped


class RunnerModule(FileModule):
    """What kubernetes.core's helm runner calls on the module it wraps."""

    def __init__(self, rc=0):
        super(RunnerModule, self).__init__()
        self.rc, self.calls, self.cleanup = rc, [], []

    def run_command(self, argv, environ_update=None, data=None):
        if argv[-1] == 'version':
            return super(RunnerModule, self).run_command(argv)
        self.calls.append((argv, environ_update))
        return self.rc, '', 'Error: boom' if self.rc else ''

    def add_cleanup_file(self, path):
        self.cleanup.append(path)


@pytest.mark.parametrize('rc', [0, 1])
def test_rollback_goes_through_kubernetes_cores_helm_runner_with_the_wrapper(monkeypatch, tmp_path, rc):
    clean_env(monkeypatch)
    module = RunnerModule(rc)
    host = HelmHost(module, str(tmp_path / 'run'), environ={})
    p = params(host='https://api.example:6443', api_key='tok-123')
    if rc:
        with pytest.raises(DaprSharedError) as err:
            host.rollback(p, 'orders', 'apps', 3)
        assert 'helm rollback of apps/orders to revision 3 failed (rc 1): Error: boom' in err.value.msg
    else:
        host.rollback(p, 'orders', 'apps', 3)
    (argv, env), = module.calls
    assert argv == [str(tmp_path / 'run' / 'helm'), 'rollback', 'orders', '3', '--namespace', 'apps']
    # the runner's own copy of the run's kubeconfig (removed at exit), the namespace; no HELM_KUBE* at all
    assert sorted(env) == ['HELM_NAMESPACE', 'KUBECONFIG'] and env['HELM_NAMESPACE'] == 'apps'
    assert yaml.safe_load(open(env['KUBECONFIG']))['users'][0]['user'] == {'token': 'tok-123'}
    assert module.cleanup == [env['KUBECONFIG']]


RELEASE = dict(args=dict(name='orders', release_namespace='apps', chart_ref='oci://mirror/dapr-shared-chart',
                         chart_version='0.0.16', plain_http=True, release_values=dict(shared=dict(appId='orders'))),
               plan=dict(objects=[]))


@pytest.mark.parametrize('version, style', [('v3.22.0', 'path'), ('v4.3.2', 'plugin')])
def test_upgrade_runs_helm_through_the_runner_with_the_post_renderer_of_this_helm(monkeypatch, tmp_path, version, style):
    clean_env(monkeypatch)
    module = RunnerModule()
    module.run_command = _versioned(module, version)
    host = HelmHost(module, str(tmp_path / 'run'), environ={})
    host.upgrade(params(host='https://api.example:6443', api_key='tok-123'), 'apps/orders', RELEASE)
    (argv, env), = module.calls
    run = tmp_path / 'run'
    assert argv[:5] == [str(run / 'helm'), 'upgrade', '--install', '--reset-values', 'orders']
    assert argv[5:11] == ['oci://mirror/dapr-shared-chart', '--version', '0.0.16', '--namespace', 'apps', '--values']
    assert yaml.safe_load(open(argv[11])) == RELEASE['args']['release_values'] and argv[-1] == '--plain-http'
    post_renderer = argv[argv.index('--post-renderer') + 1]
    if style == 'path':
        assert post_renderer == str(run / 'post-render-apps-orders') and os.access(post_renderer, os.X_OK)
    else:  # Helm 4: the name of a plugin in the run's private plugins directory, which the wrapper points at
        plugin = run / 'plugins' / post_renderer
        assert yaml.safe_load((plugin / 'plugin.yaml').read_text())['name'] == post_renderer
        assert os.access(str(plugin / 'post-render'), os.X_OK)
        assert "HELM_PLUGINS='%s'" % (run / 'plugins') in (run / 'helm').read_text()


def test_a_failing_helm_4_upgrade_says_what_the_post_renderer_said(monkeypatch, tmp_path):
    clean_env(monkeypatch)
    module = RunnerModule(rc=1)
    module.run_command = _versioned(module, 'v4.3.2')
    host = HelmHost(module, str(tmp_path / 'run'), environ={})
    from ansible_collections.daprkit.dapr.plugins.module_utils._helm_host import post_renderer_plugin
    plugin = tmp_path / 'run' / 'plugins' / post_renderer_plugin('apps/orders')[0]
    plugin.mkdir(parents=True)
    (plugin / 'error').write_text('daprkit.dapr post-renderer: the chart renders Job/x')
    with pytest.raises(DaprSharedError) as err:
        host.upgrade(params(host='https://api.example:6443', api_key='t'), 'apps/orders', RELEASE)
    assert 'helm upgrade --install failed (rc 1): Error: boom' in err.value.msg  # tests/awx/run.sh looks for it
    assert 'the chart renders Job/x' in err.value.msg


def test_uninstall_waits_and_skips_the_charts_hooks(monkeypatch, tmp_path):
    clean_env(monkeypatch)
    module = RunnerModule()
    host = HelmHost(module, str(tmp_path / 'run'), environ={})
    host.uninstall(params(host='https://api.example:6443', api_key='t'), 'orders', 'apps', 120)
    (argv, env), = module.calls
    assert argv[1:] == ['uninstall', 'orders', '--namespace', 'apps', '--wait', '--no-hooks', '--timeout', '120s']


def _versioned(module, version):
    calls = module.run_command

    def run_command(argv, environ_update=None, data=None):
        if argv[-1] == 'version':
            return 0, 'version.BuildInfo{Version:"%s"}' % version, ''
        return calls(argv, environ_update, data)
    return run_command
