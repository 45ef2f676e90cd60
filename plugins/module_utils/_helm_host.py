# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: Helm on the host that runs the module, run through kubernetes.core's helm runner.

Before any change the module finds helm, reads its version (Helm 3 from 3.13, or Helm 4; the post-renderer
style follows) and HELM_DRIVER (secret or configmap). When Helm is to run, it writes the run's private files
into the module's own temporary directory (removed when the module exits): a kubeconfig with the module's own
connection (0600), the wrapper run as helm (only that kubeconfig, HELM_PLUGINS pointing at a private plugins
directory) and, per release, the post-renderer: an executable (Helm 3: --post-renderer takes its path) inside a
postrenderer/v1 plugin (Helm 4: the plugin's name). The user's HELM_PLUGINS is never touched.

Every helm command (upgrade --install, uninstall, rollback) goes through kubernetes.core's
AnsibleHelmModule.run_helm_command (present in every kubernetes.core galaxy.yml accepts; make kcore-bounds).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import inspect
import json
import os
import sys

from ansible_collections.daprkit.dapr.plugins.module_utils import _helm
from ansible_collections.daprkit.dapr.plugins.module_utils import _helm_connection as HC
from ansible_collections.daprkit.dapr.plugins.module_utils import _post_render
from ansible_collections.daprkit.dapr.plugins.module_utils._client import connection
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError

from ansible_collections.kubernetes.core.plugins.module_utils.helm import AnsibleHelmModule


class _HelmParams(object):
    """What kubernetes.core's helm runner reads of a module: our wrapper as the binary, our kubeconfig."""

    def __init__(self, module, params):
        self._module = module
        self.params = params

    def __getattr__(self, name):
        return getattr(self._module, name)


PLUGIN_VERSION = '1.0.0'


def post_renderer_program(python, plan):
    """The executable Helm runs: _post_render.py with this release's plan."""
    source = inspect.getsource(_post_render)
    return '#!%s\n%s\n\nif __name__ == "__main__":\n    sys.exit(main(json.loads(%r)))\n' % (
        python, source, json.dumps(plan, sort_keys=True))


def post_renderer_plugin(key):
    """(name, plugin.yaml) of the Helm 4 postrenderer/v1 plugin of one instance; its program is
    <plugin dir>/post-render. The name holds only [A-Za-z0-9_-] and is unique per instance key."""
    name = 'daprkit-%s-%s' % (key.rsplit('/', 1)[-1], hashlib.sha256(key.encode('utf-8')).hexdigest()[:8])
    manifest = '\n'.join([
        'apiVersion: v1',
        'type: postrenderer/v1',
        'name: %s' % name,
        'version: %s' % PLUGIN_VERSION,
        'runtime: subprocess',
        'runtimeConfig:',
        '  platformCommand:',
        '    - command: ${HELM_PLUGIN_DIR}/post-render',
        ''])
    return name, manifest


class HelmFailed(DaprSharedError):
    """A helm command that failed: its command line and what helm (or the post-renderer) said."""


class HelmHost(object):
    def __init__(self, module, run_dir=None, environ=None):
        self.module = module
        self._run_dir = run_dir  # None: a directory in the module's temporary directory, made when first needed
        self.environ = os.environ if environ is None else environ
        self.program = None
        self.files = None

    def storage_kind(self):
        """Secret or ConfigMap (HELM_DRIVER); refuses sql and memory."""
        return _helm.storage_kind(self.environ.get('HELM_DRIVER'))

    def check(self):
        """helm found, new enough, its post-renderer style known, its storage readable: or a refusal."""
        if self.program is not None:
            return self.program
        self.storage_kind()
        binary = self.module.get_bin_path('helm')
        if not binary:
            raise DaprSharedError('method helm: no helm on the PATH of the host that runs the module; helm 3.13 or '
                                  'later (Helm 3 or 4) is required')
        rc, out, err = self.module.run_command([binary, 'version'])
        if rc != 0:
            raise DaprSharedError('method helm: `%s version` failed (rc %s): %s' % (binary, rc, (err or out).strip()))
        self.program = _helm.helm_program(out, binary)
        return self.program

    @property
    def run_dir(self):
        if self._run_dir is None:
            self._run_dir = os.path.join(self.module.tmpdir, 'daprkit-helm')
        return self._run_dir

    def prepare(self, params):
        """The run's private files (once per module call): the kubeconfig and the wrapper; returns their paths."""
        if self.files is not None:
            return self.files
        program = self.check()
        config, refused = HC.kubeconfig(connection(params))
        for secret in HC.secrets_of(config):
            self.module.no_log_values.add(secret)
        if refused:
            raise DaprSharedError('method helm: Helm cannot be given these connection options, so it would not run '
                                  'with the identity the module uses: %s. Nothing was changed.' % ', '.join(refused))
        plugins = os.path.join(self.run_dir, 'plugins')
        kubeconfig = os.path.join(self.run_dir, 'kubeconfig')
        helm = os.path.join(self.run_dir, 'helm')
        old = os.umask(0o077)
        try:
            if not os.path.isdir(plugins):
                os.makedirs(plugins, 0o700)
            _write(kubeconfig, json.dumps(config), 0o600)
            _write(helm, HC.wrapper(program['binary'], kubeconfig, plugins), 0o700)
        finally:
            os.umask(old)
        self.files = dict(program, helm=helm, kubeconfig=kubeconfig, plugins=plugins)
        return self.files

    def _run(self, params, namespace, args, what):
        """One helm command through kubernetes.core's helm runner, with the run's wrapper (and so its kubeconfig
        and plugins directory); a failure is raised as HelmFailed, with helm's own words."""
        files = self.prepare(params)
        runner = AnsibleHelmModule(module=_HelmParams(self.module, dict(
            binary_path=files['helm'], kubeconfig=files['kubeconfig'], release_namespace=namespace)))
        command = [files['helm']] + args
        rc, out, err = runner.run_helm_command(command, fails_on_error=False)
        if rc != 0:
            raise HelmFailed('%s failed (rc %s): %s' % (what, rc, (err or out).strip()), command=' '.join(command))
        return out

    def rollback(self, params, release, namespace, revision):
        """helm rollback (kubernetes.core has no rollback module)."""
        self._run(params, namespace, ['rollback', release, str(revision), '--namespace', namespace],
                  'helm rollback of %s/%s to revision %s' % (namespace, release, revision))

    def uninstall(self, params, release, namespace, timeout):
        """helm uninstall, waiting until its objects are gone. --no-hooks: the chart's pre-delete hook (never
        post-rendered by Helm 3) pulls rancher/kubectl to delete a ConfigMap only upstream's init container
        makes; offline it hangs, online it fails."""
        self._run(params, namespace, ['uninstall', release, '--namespace', namespace, '--wait', '--no-hooks',
                                      '--timeout', '%ds' % timeout], 'helm uninstall')

    def upgrade(self, params, key, release):
        """helm upgrade --install of one instance's release (_helm.release: args and plan) through its
        post-renderer; as kubernetes.core.helm runs it (--reset-values, values from a file, no --wait: the
        module waits on what it planned)."""
        files = self.prepare(params)
        args = release['args']
        values = os.path.join(self.run_dir, 'values-%s.json' % _safe(key))
        _write(values, json.dumps(args['release_values']), 0o600)  # JSON is YAML
        post_renderer, plugin_dir = self._post_renderer(files, key, release['plan'])
        command = ['upgrade', '--install', '--reset-values', args['name'], args['chart_ref'],
                   '--version', args['chart_version'], '--namespace', args['release_namespace'],
                   '--values', values, '--post-renderer', post_renderer]
        if args.get('plain_http'):
            command.append('--plain-http')
        try:
            self._run(params, args['release_namespace'], command, 'helm upgrade --install')
        except HelmFailed as exc:
            said = _read(os.path.join(plugin_dir, _post_render.ERROR_FILE)) if plugin_dir else None
            if said and said not in exc.msg:
                exc.msg += '\n' + said  # Helm 4 does not show a post-renderer plugin's stderr
            raise

    def _post_renderer(self, files, key, plan):
        """Writes the post-renderer of one instance; (what --post-renderer takes from this helm, plugin dir)."""
        source = post_renderer_program(sys.executable, plan)  # this interpreter has PyYAML: ansible-core needs it
        if files['post_renderer'] == 'plugin':
            name, manifest = post_renderer_plugin(key)
            directory = os.path.join(files['plugins'], name)
            if not os.path.isdir(directory):
                os.makedirs(directory, 0o700)
            _write(os.path.join(directory, 'plugin.yaml'), manifest, 0o600)
            _write(os.path.join(directory, 'post-render'), source, 0o700)
            return name, directory
        path = os.path.join(self.run_dir, 'post-render-%s' % _safe(key))
        _write(path, source, 0o700)
        return path, None


def _safe(key):
    return key.replace('/', '-')


def _read(path):
    try:
        with open(path) as source:
            return source.read().strip()
    except (IOError, OSError):
        return None


def _write(path, text, mode):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, 'w') as out:
        out.write(text)
    os.chmod(path, mode)
