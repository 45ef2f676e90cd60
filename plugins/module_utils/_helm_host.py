# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: Helm on the host that runs the module (where kubernetes.core.helm runs it too).

Before any change the module finds helm, reads its version (Helm 3 from 3.13, or Helm 4; the post-renderer
style follows) and HELM_DRIVER (secret or configmap). When Helm is to run, it writes the run's private
files into the directory the action plugin gives (in the task's temporary directory, removed with it):
a kubeconfig with the module's own connection (0600) and the wrapper kubernetes.core.helm runs as helm,
which points HELM_PLUGINS at the plugins directory the action plugin fills (the post-renderer plugin).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible_collections.daprkit.dapr.plugins.module_utils import _helm
from ansible_collections.daprkit.dapr.plugins.module_utils import _helm_connection as HC
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


class HelmHost(object):
    def __init__(self, module, run_dir=None, plugins_dir=None, kubernetes_core=None, environ=None):
        self.module = module
        self.run_dir = run_dir
        self.plugins_dir = plugins_dir
        self.kubernetes_core = kubernetes_core
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
        program = _helm.helm_program(out, binary)
        if program['major'] >= 4 and not _helm.helm4_supported(self.kubernetes_core):
            raise DaprSharedError('method helm: %s is helm %s, which kubernetes.core.helm runs from kubernetes.core '
                                  '6.4.0 on; kubernetes.core %s is installed. Upgrade kubernetes.core or put Helm 3 '
                                  '(3.13 or later) first on the PATH' % (binary, program['version'],
                                                                         self.kubernetes_core))
        self.program = program
        return program

    def prepare(self, params):
        """The run's private files (once per module call); returns what the action plugin needs (paths only)."""
        if self.files is not None:
            return self.files
        program = self.check()
        if not self.run_dir or not self.plugins_dir:
            raise DaprSharedError('method helm: the module must run through its action plugin (daprkit.dapr.dapr_shared)')
        config, refused = HC.kubeconfig(connection(params))
        for secret in HC.secrets_of(config):
            self.module.no_log_values.add(secret)
        if refused:
            raise DaprSharedError('method helm: Helm cannot be given these connection options, so it would not run '
                                  'with the identity the module uses: %s. Nothing was changed.' % ', '.join(refused))
        plugins = self.plugins_dir
        kubeconfig = os.path.join(self.run_dir, 'kubeconfig')
        helm = os.path.join(self.run_dir, 'helm')
        old = os.umask(0o077)
        try:
            if not os.path.isdir(self.run_dir):
                os.makedirs(self.run_dir, 0o700)
            _write(kubeconfig, json.dumps(config), 0o600)
            _write(helm, HC.wrapper(program['binary'], kubeconfig, plugins), 0o700)
        finally:
            os.umask(old)
        self.files = dict(program, helm=helm, kubeconfig=kubeconfig, plugins=plugins)
        return self.files

    def rollback(self, params, release, namespace, revision):
        """helm rollback through kubernetes.core's helm runner (kubernetes.core has no rollback module), with the
        run's wrapper and kubeconfig."""
        files = self.prepare(params)
        runner = AnsibleHelmModule(module=_HelmParams(self.module, dict(
            binary_path=files['helm'], kubeconfig=files['kubeconfig'], release_namespace=namespace)))
        command = [files['helm'], 'rollback', release, str(revision), '--namespace', namespace]
        rc, out, err = runner.run_helm_command(command, fails_on_error=False)
        if rc != 0:
            raise DaprSharedError('helm rollback of %s/%s to revision %s failed (rc %s): %s'
                                  % (namespace, release, revision, rc, (err or out).strip()), command=' '.join(command))


def _write(path, text, mode):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, 'w') as out:
        out.write(text)
    os.chmod(path, mode)
