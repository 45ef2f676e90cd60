# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of daprkit.dapr.dapr_shared: one task for both backends.

The module does everything for method manifests in one call. For method helm it checks and plans
(step apply); this plugin then runs kubernetes.core.helm (the Helm release stays Helm's: install,
upgrade, uninstall, history) with a post-renderer it writes next to the module, and calls the module
again to wait and read back (step wait). The result has one shape whatever the backend.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import inspect
import json

from ansible.plugins.action import ActionBase

from ansible_collections.daprkit.dapr.plugins.module_utils import _post_render

MODULE = 'daprkit.dapr.dapr_shared'
HELM = 'kubernetes.core.helm'
# Connection options kubernetes.core.helm understands (ours are kubernetes.core's names).
HELM_AUTH_OPTIONS = ('kubeconfig', 'context', 'host', 'api_key', 'validate_certs', 'ca_cert')
# kubernetes.core.helm warns on every run without the helm-diff plugin; the post-render plan digest
# in the values makes its values comparison exact, so the warning does not apply here.
HELM_DIFF_WARNING = 'The default idempotency check can fail'


def post_renderer_program(python, plan):
    """The executable Helm runs: _post_render.py with this release's plan."""
    source = inspect.getsource(_post_render)
    return '#!%s\n%s\n\nif __name__ == "__main__":\n    sys.exit(main(json.loads(%r)))\n' % (
        python, source, json.dumps(plan, sort_keys=True))


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

    def _helm(self, args, task_vars, helm_args):
        module_args = dict((k, args[k]) for k in HELM_AUTH_OPTIONS if args.get(k) is not None)
        module_args.update(helm_args)
        res = self._execute_module(module_name=HELM, module_args=module_args, task_vars=task_vars)
        res['warnings'] = [w for w in res.get('warnings') or [] if HELM_DIFF_WARNING not in _text(w)]
        return res

    def _run(self, args, task_vars):
        first = self._module(args, task_vars, step='apply')
        if first.get('failed') or first.get('complete', True) and not _handoff(first):
            first.pop('complete', None)
            first.pop('python', None)
            return first
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
            res = self._helm(args, task_vars, dict(entry['helm_uninstall'], state='absent', wait=True,
                                                   disable_hook=True))
            if res.get('failed'):
                return _failure(first, key, 'helm uninstall', res)
            helm_actions[key] = 'uninstalled' if res.get('changed') else 'unchanged'
            if entry['state'] == 'present':
                reapply.append(key)
        if reapply and not self._task.check_mode:
            again = self._module(_only(args, reapply), task_vars, step='apply')
            if again.get('failed'):
                return again
            for entry in again['instances']:
                entry['changed'] = True
                entries[entry['key']] = entry

        # 2. releases that are installed or upgraded, through the post-renderer
        python = first.get('python') or '/usr/bin/env python3'
        tmpdir = self._connection._shell.tmpdir or self._make_tmp_path()
        for key, entry in entries.items():
            release = entry.pop('helm', None)
            if not release:
                continue
            path = self._connection._shell.join_path(tmpdir, 'daprkit-post-render-%s' % key.replace('/', '-'))
            self._transfer_data(path, post_renderer_program(python, release['plan']))
            self._fixup_perms2([path], execute=True)
            res = self._helm(args, task_vars, dict(release['args'], state='present', wait=False, post_renderer=path))
            warnings.extend(res.get('warnings') or [])
            if res.get('failed'):
                return _failure(first, key, 'helm upgrade --install', res)
            helm_actions[key] = ('upgraded' if entry.get('helm_release_exists') else 'installed') \
                if res.get('changed') else 'unchanged'

        # 3. wait on every instance together and read back
        final = self._module(args, task_vars, step='wait')
        if final.get('failed'):
            final['changed'] = True
            return final
        for entry in final['instances']:
            before = entries.get(entry['key'], {})
            action = helm_actions.get(entry['key'])
            entry['changed'] = bool(before.get('changed')) or action not in (None, 'unchanged')
            entry['objects'] = list(before.get('objects') or [])
            if action:
                entry['objects'].append(dict(object='Helm release %s' % entry['key'], action=action))
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
        final.pop('complete', None)
        final.pop('python', None)
        return final


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


def _failure(first, key, what, res):
    """A failed helm call, reported with its cause (helm's stderr) and what the module had already done."""
    stderr = (res.get('stderr') or '').strip()
    msg = 'instance %s: %s failed: %s' % (key, what, res.get('msg') or '')
    if stderr and stderr not in msg:
        msg += '\n' + stderr
    instances = [dict((k, v) for k, v in e.items() if k != 'helm') for e in first.get('instances') or []]
    return dict(failed=True, changed=bool(first.get('changed')), msg=msg, command=res.get('command'),
                instances=instances)
