# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of daprkit.dapr.dapr_shared: one task for both backends.

The module does everything for method manifests in one call. For method helm it checks and plans
(step apply); this plugin then runs kubernetes.core.helm (the Helm release stays Helm's: install,
upgrade, uninstall, history) with a post-renderer it writes next to the module, and calls the module
again to wait and read back (step wait). The result has one shape whatever the backend.

Helm runs in a private environment the module prepared in the task's temporary directory (removed
with it): kubernetes.core.helm gets only `binary_path` (a wrapper of the helm the module found and
checked) and `kubeconfig` (the module's own connection, impersonation and all). The post-renderer is
an executable (Helm 3: --post-renderer takes its path) inside a postrenderer/v1 plugin (Helm 4: the
plugin's name), in a plugins directory only this task uses; the user's HELM_PLUGINS is never touched.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import inspect
import json
import os

from ansible.plugins.action import ActionBase

from ansible_collections.daprkit.dapr.plugins.module_utils import _post_render

MODULE = 'daprkit.dapr.dapr_shared'
HELM = 'kubernetes.core.helm'
PLUGIN_VERSION = '1.0.0'
# kubernetes.core.helm warns on every run without the helm-diff plugin; the post-render plan digest
# in the values makes its values comparison exact, so the warning does not apply here.
HELM_DIFF_WARNING = 'The default idempotency check can fail'


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


def kubernetes_core_version():
    """The version of the kubernetes.core that will run Helm (the one this controller loads), or None."""
    try:
        import ansible_collections.kubernetes.core as kubernetes_core
        for path in kubernetes_core.__path__:
            manifest = os.path.join(path, 'MANIFEST.json')
            if os.path.exists(manifest):
                with open(manifest) as source:
                    return json.load(source)['collection_info']['version']
            galaxy = os.path.join(path, 'galaxy.yml')
            if os.path.exists(galaxy):
                import yaml
                with open(galaxy) as source:
                    return str(yaml.safe_load(source).get('version'))
    except Exception:  # unknown: the module does not refuse Helm 4 for it
        pass
    return None


class ActionModule(ActionBase):
    TRANSFERS_FILES = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        try:
            result.update(self._run(args, task_vars))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _module(self, args, task_vars, **extra):
        module_args = dict(args)
        module_args.update(extra)
        return self._execute_module(module_name=MODULE, module_args=module_args, task_vars=task_vars)

    def _helm(self, program, task_vars, helm_args):
        # only the wrapper and the run's kubeconfig: Helm's connection is the module's, whatever else is set
        module_args = dict(helm_args, binary_path=program['helm'], kubeconfig=program['kubeconfig'])
        res = self._execute_module(module_name=HELM, module_args=module_args, task_vars=task_vars)
        res['warnings'] = [w for w in res.get('warnings') or [] if HELM_DIFF_WARNING not in _text(w)]
        return res

    def _run(self, args, task_vars):
        tmpdir = self._connection._shell.tmpdir or self._make_tmp_path()
        helm_run = dict(dir=self._connection._shell.join_path(tmpdir, 'daprkit-helm'),
                        plugins=self._connection._shell.join_path(tmpdir, 'daprkit-helm-plugins'),
                        kubernetes_core=kubernetes_core_version())
        first = self._module(args, task_vars, step='apply', helm_run=helm_run)
        if first.get('failed') or first.get('complete', True) and not _handoff(first):
            for internal in ('complete', 'python', 'helm_program'):
                first.pop(internal, None)
            return first
        program = first.pop('helm_program', None)
        if not program:
            return dict(failed=True, msg='internal error: the module handed over to Helm without preparing it')
        entries = dict((e['key'], e) for e in first['instances'])
        helm_actions = {}
        warnings = list(first.get('warnings') or [])

        # 1. releases that go: instances removed, or switched from helm to manifests
        reapply = []
        for key, entry in entries.items():
            if 'helm_uninstall' not in entry:
                continue
            # --no-hooks: the chart's pre-delete hook (never post-rendered by Helm 3) pulls rancher/kubectl
            # to delete a ConfigMap only upstream's init container makes; offline it hangs, online it fails
            res = self._helm(program, task_vars, dict(entry['helm_uninstall'], state='absent', wait=True,
                                                      disable_hook=True))
            if res.get('failed'):
                return _failure(first, key, 'helm uninstall', res)
            action = dict(action='uninstalled' if res.get('changed') else 'unchanged')
            if entry.get('helm_uninstall_reason'):
                # an interrupted install that never deployed: the module warned; the release is installed again
                action['was'] = entry['helm_uninstall_reason']
            helm_actions.setdefault(key, []).append(action)
            if entry['state'] == 'present':
                reapply.append(key)
        if reapply and not self._task.check_mode:
            again = self._module(_only(args, reapply), task_vars, step='apply', helm_run=helm_run)
            if again.get('failed'):
                return again
            program = again.pop('helm_program', None) or program
            for entry in again['instances']:
                entry['changed'] = True
                entries[entry['key']] = entry

        # 2. releases that are installed or upgraded, through the post-renderer
        python = first.get('python') or '/usr/bin/env python3'
        for key, entry in entries.items():
            release = entry.pop('helm', None)
            if not release:
                continue
            post_renderer = self._post_renderer(program, key, post_renderer_program(python, release['plan']))
            res = self._helm(program, task_vars, dict(release['args'], state='present', wait=False,
                                                      post_renderer=post_renderer))
            warnings.extend(res.get('warnings') or [])
            if res.get('failed'):
                return _failure(first, key, 'helm upgrade --install', res, self._post_render_error(program, key))
            helm_actions.setdefault(key, []).append(dict(action=(
                'upgraded' if entry.get('helm_release_exists') else 'installed') if res.get('changed') else 'unchanged'))

        # 3. wait on every instance together and read back
        final = self._module(args, task_vars, step='wait')
        if final.get('failed'):
            final['changed'] = True
            return final
        for entry in final['instances']:
            before = entries.get(entry['key'], {})
            actions = helm_actions.get(entry['key']) or []
            entry['changed'] = bool(before.get('changed')) or any(a['action'] != 'unchanged' for a in actions)
            entry['objects'] = list(before.get('objects') or [])
            for action in actions:
                entry['objects'].append(dict(action, object='Helm release %s' % entry['key']))
            if 'diff' in before:
                entry['diff'] = before['diff']
        for key in entries:
            if key not in [e['key'] for e in final['instances']]:
                final['instances'].append(entries[key])
        final['changed'] = any(e['changed'] for e in final['instances'])
        for field in ('objects', 'diff'):
            if field in final and final['instances']:
                final[field] = final['instances'][0].get(field, final[field])
        final['warnings'] = warnings + list(final.get('warnings') or [])
        for internal in ('complete', 'python', 'helm_program'):
            final.pop(internal, None)
        return final

    def _post_render_error(self, program, key):
        """What the post-renderer said when it failed as a Helm 4 plugin (Helm 4 does not show its stderr)."""
        if program['post_renderer'] != 'plugin':
            return None
        path = self._connection._shell.join_path(program['plugins'], post_renderer_plugin(key)[0], _post_render.ERROR_FILE)
        res = self._execute_module(module_name='ansible.legacy.slurp', module_args=dict(src=path))
        if res.get('failed') or not res.get('content'):
            return None
        return base64.b64decode(res['content']).decode('utf-8', 'replace').strip()

    def _post_renderer(self, program, key, source):
        """Writes the post-renderer of one instance; returns what --post-renderer takes from this helm."""
        shell = self._connection._shell
        if program['post_renderer'] == 'plugin':
            name, manifest = post_renderer_plugin(key)
            directory = shell.join_path(program['plugins'], name)
            self._low_level_execute_command('mkdir -p %s' % shell.quote(directory))
            self._transfer_data(shell.join_path(directory, 'plugin.yaml'), manifest)
            path = shell.join_path(directory, 'post-render')
            argument = name
        else:
            path = shell.join_path(shell.tmpdir, 'daprkit-post-render-%s' % key.replace('/', '-'))
            argument = path
        self._transfer_data(path, source)
        self._fixup_perms2([path], execute=True)
        return argument


def _text(warning):
    """A warning's text: a plain string, or ansible-core 2.19's WarningSummary (event.msg)."""
    event = getattr(warning, 'event', None)
    return getattr(event, 'msg', None) or str(warning)


def _handoff(result):
    return any('helm' in e or 'helm_uninstall' in e for e in result.get('instances') or [])


def _only(args, keys):
    """The task's arguments restricted to the given instances."""
    if args.get('instances') is None:
        return args
    restricted = dict(args)
    restricted['instances'] = [i for i in args['instances']
                               if '%s/%s' % (i.get('namespace') or 'default', i.get('app_id')) in keys]
    return restricted


def _failure(first, key, what, res, cause=None):
    """A failed helm call, reported with its cause (helm's stderr, the post-renderer's message) and what the
    module had already done."""
    stderr = (res.get('stderr') or '').strip()
    msg = 'instance %s: %s failed: %s' % (key, what, res.get('msg') or '')
    for detail in (stderr, cause):
        if detail and detail not in msg:
            msg += '\n' + detail
    instances = [dict((k, v) for k, v in e.items() if k != 'helm') for e in first.get('instances') or []]
    return dict(failed=True, changed=bool(first.get('changed')), msg=msg, command=res.get('command'),
                instances=instances)
