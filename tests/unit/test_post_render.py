"""The helm backend's post-renderer: pure transformation, and the program the module writes next to helm."""
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.daprkit.dapr.plugins.module_utils._helm_host import post_renderer_plugin, post_renderer_program
from ansible_collections.daprkit.dapr.plugins.module_utils import _helm
from ansible_collections.daprkit.dapr.plugins.module_utils import _names as N
from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.module_utils._control_plane import ControlPlane
from ansible_collections.daprkit.dapr.plugins.module_utils._post_render import PostRenderError, post_render
from ansible_collections.daprkit.dapr.plugins.module_utils._render import render_instance

HOOK = {'helm.sh/hook': 'pre-delete'}
CHART_LABELS = {'helm.sh/chart': 'dapr-shared-chart-0.0.16', 'app.kubernetes.io/managed-by': 'Helm',
                'app.kubernetes.io/name': 'dapr-shared-chart', 'app.kubernetes.io/instance': 'orders',
                'app.kubernetes.io/version': '0.0.16'}


def chart_render(strategy='daemonset'):
    """What the dapr-shared chart 0.0.16 renders for release orders (kinds, names, labels)."""
    def obj(kind, name, api='v1', **extra):
        meta = dict(name=name, labels=dict(CHART_LABELS))
        meta.update(extra)
        return dict(apiVersion=api, kind=kind, metadata=meta)
    workload = 'DaemonSet' if strategy == 'daemonset' else 'Deployment'
    return [
        obj('ServiceAccount', 'orders-dapr-shared-chart'),
        obj('Secret', 'orders-dapr-shared-chart'),
        obj('ClusterRole', 'orders-dapr-shared-chart-secret-reader', 'rbac.authorization.k8s.io/v1'),
        obj('ClusterRoleBinding', 'orders-dapr-shared-chart-secret-reader', 'rbac.authorization.k8s.io/v1'),
        obj('ClusterRole', 'orders-dapr-shared-chart-configmap-creator', 'rbac.authorization.k8s.io/v1'),
        obj('ClusterRoleBinding', 'orders-dapr-shared-chart-configmap-creator', 'rbac.authorization.k8s.io/v1'),
        obj('Service', 'orders-dapr'),
        obj(workload, 'orders-dapr-shared-chart', 'apps/v1'),
        obj('ServiceAccount', 'cm-remover-orders', annotations=HOOK),
        obj('Role', 'cm-remover-orders', 'rbac.authorization.k8s.io/v1', annotations=HOOK),
        obj('RoleBinding', 'cm-remover-orders', 'rbac.authorization.k8s.io/v1', annotations=HOOK),
        obj('Pod', 'delete-cm-task-orders', annotations=HOOK),
        None,  # helm emits empty documents
    ]


def plan(strategy='daemonset', **kw):
    instance = SC.apply_defaults(dict(app_id='orders', namespace='apps', method='helm', strategy=strategy, **kw))
    cp = ControlPlane('dapr-system', ca_crt='CERT', version='1.18.2')
    objects = render_instance(instance, cp, '1.18.2', dict(api_token=('t' * 40, 'h')))
    return _helm.release(instance, cp, '1.18.2', objects, dict(ref='x', version='0.0.16'))['plan']


@pytest.mark.parametrize('strategy', SC.STRATEGIES)
def test_release_holds_our_objects_under_the_chart_names(strategy):
    out = post_render(chart_render(strategy), plan(strategy))
    kinds = sorted((o['kind'], o['metadata']['name']) for o in out)
    workload = 'DaemonSet' if strategy == 'daemonset' else 'Deployment'
    assert kinds == sorted([('ServiceAccount', 'orders-dapr-shared-chart'), ('Service', 'orders-dapr'),
                            (workload, 'orders-dapr-shared-chart'), ('ConfigMap', 'orders-dapr-trust-anchors'),
                            ('NetworkPolicy', 'orders-dapr-shared'), ('Configuration', 'orders-dapr-shared')]
                           + ([('PodDisruptionBudget', 'orders-dapr-shared')] if strategy == 'deployment' else []))
    for o in out:
        assert o['metadata']['labels'][N.LABEL_MANAGED_BY] == 'Helm'
        assert '_from_chart' not in o
        if o['kind'] in _helm.CHART_KINDS:
            # Helm's own labels kept, ours (the daprd version, not the chart's) win over the chart's others
            assert o['metadata']['labels']['helm.sh/chart'] == 'dapr-shared-chart-0.0.16'
            assert o['metadata']['labels'][N.LABEL_VERSION] == '1.18.2'
    pod = [o for o in out if o['kind'] == workload][0]['spec']['template']['spec']
    assert pod['securityContext']['runAsNonRoot'] and pod['automountServiceAccountToken'] is False
    assert 'initContainers' not in pod, 'the init container that copies the issuer key is gone'
    args = pod['containers'][0]['args']
    assert '--scheduler-host-address' in args
    assert args[args.index('--sentry-address') + 1].endswith(':443')
    assert 'tcpSocket' in pod['containers'][0]['livenessProbe']
    service = [o for o in out if o['kind'] == 'Service'][0]
    assert service['spec']['internalTrafficPolicy'] == ('Local' if strategy == 'daemonset' else 'Cluster')


def test_no_cluster_scoped_object_no_hook_and_no_secret_reaches_helm():
    out = post_render(chart_render(), plan())
    assert not [o for o in out if o['kind'] in ('ClusterRole', 'ClusterRoleBinding', 'Secret', 'Pod', 'Role')]
    assert not [o for o in out if 'helm.sh/hook' in (o['metadata'].get('annotations') or {})]


def test_an_unknown_chart_object_fails_loudly():
    chart = chart_render() + [dict(apiVersion='batch/v1', kind='Job', metadata=dict(name='surprise'))]
    with pytest.raises(PostRenderError, match='Job/surprise'):
        post_render(chart, plan())


def test_a_chart_that_lacks_an_object_fails_loudly():
    chart = [o for o in chart_render() if not o or o['kind'] != 'Service']
    with pytest.raises(PostRenderError, match='did not render Service/orders-dapr'):
        post_render(chart, plan())


def test_the_program_helm_runs(tmp_path):
    path = tmp_path / 'post-render'
    path.write_text(post_renderer_program(sys.executable, plan()))
    os.chmod(str(path), 0o700)
    stdin = yaml.safe_dump_all(chart_render())
    done = subprocess.run([str(path)], input=stdin, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    kinds = sorted(o['kind'] for o in yaml.safe_load_all(done.stdout))
    assert kinds == ['ConfigMap', 'Configuration', 'DaemonSet', 'NetworkPolicy', 'Service', 'ServiceAccount']
    bad = subprocess.run([str(path)], input=stdin + '---\nkind: Job\nmetadata: {name: x}\n', capture_output=True,
                         text=True, check=False)
    assert bad.returncode == 1 and 'Job/x' in bad.stderr


def test_helm4_plugin_names_are_valid_and_one_per_instance():
    import re
    names = set()
    for key in ('a-b/c', 'a/b-c', 'apps/orders', 'faas/orders'):
        name, manifest = post_renderer_plugin(key)
        assert re.match(r'^[A-Za-z0-9_-]+$', name) and name.startswith('daprkit-' + key.rsplit('/', 1)[1] + '-')
        doc = yaml.safe_load(manifest)
        assert doc == dict(apiVersion='v1', type='postrenderer/v1', name=name, version='1.0.0', runtime='subprocess',
                           runtimeConfig=dict(platformCommand=[dict(command='${HELM_PLUGIN_DIR}/post-render')]))
        names.add(name)
    assert len(names) == 4


def test_a_failing_post_renderer_leaves_its_message_in_the_plugin_dir_for_helm_4(tmp_path, monkeypatch, capsys):
    import io
    from ansible_collections.daprkit.dapr.plugins.module_utils import _post_render
    monkeypatch.setenv('HELM_PLUGIN_DIR', str(tmp_path))
    broken = dict(objects=[o for o in plan()['objects'] if o['kind'] != 'DaemonSet'])
    assert _post_render.main(broken, io.StringIO(yaml.safe_dump_all(chart_render())), io.StringIO()) == 1
    said = (tmp_path / _post_render.ERROR_FILE).read_text()
    assert 'does not know' in said and said == capsys.readouterr().err
