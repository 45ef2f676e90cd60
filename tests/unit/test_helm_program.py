"""Which helm runs the helm backend, and where Helm keeps its releases: decided before any change.
The outputs are those of `helm version` of the builds named (Helm 3 and 4, stamped or not)."""
import base64
import gzip
import json

import pytest

from ansible_collections.daprkit.dapr.plugins.module_utils import _helm
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError
from ansible_collections.daprkit.dapr.plugins.module_utils._helm_host import HelmHost

HELM_3_22 = ('version.BuildInfo{Version:"v3.22.0", GitCommit:"", GitTreeState:"clean", GoVersion:"go1.26.8"}\n')
HELM_4_3 = ('version.BuildInfo{Version:"v4.3.2", GitCommit:"", GitTreeState:"clean", GoVersion:"go1.26.8", '
            'KubeClientVersion:"v1.35"}\n')
HELM_4_UNSTAMPED = 'version.BuildInfo{Version:"v4.3", GitCommit:"", GitTreeState:"", GoVersion:"go1.26.8"}\n'
HELM_3_12 = 'version.BuildInfo{Version:"v3.12.3", GitCommit:"3a31588ad33fe3b89af5a2a54ee1d25bfe6eaa5e", ' \
            'GitTreeState:"clean", GoVersion:"go1.20.7"}\n'
HELM_2 = 'Client: &version.Version{SemVer:"v2.17.0", GitCommit:"a690bad98af45b015bd3da1a41f6218b1a451dbe"}\n'


@pytest.mark.parametrize('output, expected', [
    (HELM_3_22, (3, 22, 0, 'v3.22.0')),
    (HELM_4_3, (4, 3, 2, 'v4.3.2')),
    (HELM_4_UNSTAMPED, (4, 3, 0, 'v4.3')),
    ('v3.14.4+g81c902a\n', (3, 14, 4, 'v3.14.4+g81c902a')),
    (HELM_3_12, (3, 12, 3, 'v3.12.3')),
    ('', None),
    ('Error: unknown command "version"', None),
])
def test_helm_version_is_read_from_every_output_shape(output, expected):
    assert _helm.helm_version(output) == expected


@pytest.mark.parametrize('output, version, style', [
    (HELM_3_22, 'v3.22.0', 'path'),
    ('version.BuildInfo{Version:"v3.13.0"}', 'v3.13.0', 'path'),
    (HELM_4_3, 'v4.3.2', 'plugin'),
    (HELM_4_UNSTAMPED, 'v4.3', 'plugin'),
])
def test_helm_3_and_4_are_accepted_each_with_its_post_renderer_style(output, version, style):
    program = _helm.helm_program(output, '/usr/local/bin/helm')
    assert program == dict(binary='/usr/local/bin/helm', version=version, major=int(version[1]), post_renderer=style)


@pytest.mark.parametrize('output, named', [
    (HELM_3_12, 'helm v3.12.3'),
    ('version.BuildInfo{Version:"v3.5.4"}', 'helm v3.5.4'),
    ('version.BuildInfo{Version:"v5.0.0"}', 'helm v5.0.0'),
    (HELM_2, "'Client: &version.Version"),
])
def test_an_old_unknown_or_unreadable_helm_is_refused_naming_what_was_found(output, named):
    with pytest.raises(DaprSharedError) as err:
        _helm.helm_program(output, '/opt/helm')
    assert named in err.value.msg and '/opt/helm' in err.value.msg, err.value.msg


@pytest.mark.parametrize('driver, kind', [
    (None, 'Secret'), ('', 'Secret'), ('secret', 'Secret'), ('secrets', 'Secret'),
    ('configmap', 'ConfigMap'), ('configmaps', 'ConfigMap'), ('ConfigMap', 'ConfigMap'),
])
def test_secret_and_configmap_drivers_are_read(driver, kind):
    assert _helm.storage_kind(driver) == kind


@pytest.mark.parametrize('driver', ['sql', 'memory', 'etcd'])
def test_sql_memory_and_unknown_drivers_are_refused(driver):
    with pytest.raises(DaprSharedError) as err:
        _helm.storage_kind(driver)
    assert 'HELM_DRIVER=%s' % driver in err.value.msg


class HostModule(object):
    def __init__(self, output, found='/usr/local/bin/helm', rc=0):
        self.output, self.found, self.rc, self.commands = output, found, rc, []
        self.no_log_values = set()

    def get_bin_path(self, name):
        return self.found

    def run_command(self, argv):
        self.commands.append(argv)
        return self.rc, self.output, ''


def test_host_check_runs_helm_version_once_and_honours_helm_driver():
    module = HostModule(HELM_4_3)
    host = HelmHost(module, '/tmp/x', environ=dict(HELM_DRIVER='configmap'))
    assert host.check()['post_renderer'] == 'plugin' and host.check()['major'] == 4
    assert module.commands == [['/usr/local/bin/helm', 'version']]
    assert host.storage_kind() == 'ConfigMap'


@pytest.mark.parametrize('module, environ, words', [
    (HostModule(HELM_3_12), {}, 'helm v3.12.3'),
    (HostModule(HELM_3_22, found=None), {}, 'no helm on the PATH'),
    (HostModule('', rc=1), {}, 'version` failed'),
    (HostModule(HELM_3_22), dict(HELM_DRIVER='sql'), 'HELM_DRIVER=sql'),
])
def test_host_check_refuses(module, environ, words):
    with pytest.raises(DaprSharedError) as err:
        HelmHost(module, '/tmp/x', environ=environ).check()
    assert words in err.value.msg, err.value.msg


def _record(kind, revision, status, config=None):
    body = base64.b64encode(gzip.compress(json.dumps(dict(
        info=dict(status=status), version=revision, config=config or {},
        chart=dict(metadata=dict(name='dapr-shared-chart', version='0.0.16')))).encode())).decode()
    data = base64.b64encode(body.encode()).decode() if kind == 'Secret' else body
    return dict(kind=kind, metadata=dict(labels=dict(owner='helm', name='orders', version=str(revision),
                                                     status=status)), data=dict(release=data))


@pytest.mark.parametrize('kind', ['Secret', 'ConfigMap'])
def test_releases_are_decoded_from_secrets_and_configmaps(kind):
    decoded = _helm.decode_release(_record(kind, 3, 'deployed', dict(a=1)))
    assert decoded == dict(status='deployed', chart_name='dapr-shared-chart', chart_version='0.0.16',
                           values=dict(a=1), revision=3)


class ListingService(object):
    """KubeService.helm_release over listed storage objects of one kind."""

    def __init__(self, records):
        self.records, self.asked = records, []

    def list(self, api_version, kind, namespace=None, label_selector=None, field_selector=None):
        self.asked.append((kind, namespace, label_selector))
        return [dict((k, v) for k, v in r.items() if k != 'kind') for r in self.records if r['kind'] == kind]


@pytest.mark.parametrize('kind', ['Secret', 'ConfigMap'])
def test_the_service_reads_the_latest_revision_where_the_driver_keeps_it(kind):
    from ansible_collections.daprkit.dapr.plugins.module_utils._service import KubeService
    records = [_record(kind, 1, 'superseded'), _record(kind, 2, 'deployed'), _record(kind, 3, 'pending-upgrade')]
    svc = ListingService(records)
    release = KubeService.helm_release(svc, 'apps', 'orders', kind)
    assert svc.asked == [(kind, 'apps', 'owner=helm,name=orders')]
    assert release['status'] == 'pending-upgrade' and release['revision'] == 3
    assert release['revisions'] == [(3, 'pending-upgrade'), (2, 'deployed'), (1, 'superseded')]
    other = 'ConfigMap' if kind == 'Secret' else 'Secret'
    assert KubeService.helm_release(ListingService(records), 'apps', 'orders', other) is None
