#!/usr/bin/env python
"""Fail on any deprecation warning the collection causes, on the ansible-core of the venv on PATH.

Runs, with no cluster (an unreachable API server): tools/no_deprecations/offline.yml (every filter, both roles
and, through them, both modules and the action plugin, each up to its first cluster read), the syntax check of
every playbook the collection ships, and ansible-doc of every plugin and role. Deprecation warnings are shown
with their traceback (DISPLAY_TRACEBACK=deprecated), so a failure names the line of ours that causes it.

Usage: tools/no_deprecations.py   (exit 1 and print every deprecation)
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
PLAYBOOK = os.path.join(ROOT, 'tools', 'no_deprecations', 'offline.yml')
MARK = '[DEPRECATION WARNING]'


def plugins():
    """(ansible-doc type, FQCN) of every module, filter and role of the collection."""
    def names(*path):
        return sorted(os.listdir(os.path.join(ROOT, *path)))
    found = [('module', 'daprkit.dapr.' + name[:-3]) for name in names('plugins', 'modules')
             if name.endswith('.py') and not name.startswith('_')]
    found += [('filter', 'daprkit.dapr.' + name[:-4]) for name in names('plugins', 'filter') if name.endswith('.yml')]
    found += [('role', 'daprkit.dapr.' + name) for name in names('roles')]
    return found


def environment(work):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'), ANSIBLE_DEPRECATION_WARNINGS='true',
               ANSIBLE_DISPLAY_TRACEBACK='deprecated', ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_LOCAL_TEMP=os.path.join(work, 'tmp'), KUBECONFIG=os.path.join(work, 'no-kubeconfig'),
               K8S_AUTH_HOST='https://127.0.0.1:9', K8S_AUTH_API_KEY='not-a-token', K8S_AUTH_VERIFY_SSL='false')
    for key in ('K8S_AUTH_KUBECONFIG', 'K8S_AUTH_CONTEXT', 'ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_COLLECTIONS_PATHS'):
        env.pop(key, None)
    return env


def deprecations(output):
    """Each deprecation warning with the lines that follow it (its traceback), up to the next message."""
    found, current = [], None
    for line in output.splitlines():
        if MARK in line:
            current = [line]
            found.append(current)
        elif current is not None and (line.startswith((' ', 'Traceback')) or not line.strip()):
            current.append(line)
        else:
            current = None
    return found


def ours(block):
    """The traceback lines that point into this collection (and the source line below each)."""
    lines = []
    for index, line in enumerate(block):
        if re.search(r'ansible_collections/daprkit/dapr/', line):
            lines.extend(block[index:index + 2])
    return lines


def main():
    work = tempfile.mkdtemp(prefix='daprkit-no-deprecations-')
    env = environment(work)
    version = subprocess.run(['ansible', '--version'], env=env, capture_output=True, text=True, check=True).stdout
    runs = [('ansible-playbook tools/no_deprecations/offline.yml', ['ansible-playbook', PLAYBOOK])]
    runs += [('ansible-playbook daprkit.dapr.%s --syntax-check' % name[:-4],
              ['ansible-playbook', 'daprkit.dapr.%s' % name[:-4], '--syntax-check'])
             for name in sorted(os.listdir(os.path.join(ROOT, 'playbooks'))) if name.endswith('.yml')]
    runs += [('ansible-doc -t %s %s' % (kind, name), ['ansible-doc', '-t', kind, name]) for kind, name in plugins()]
    failed = False
    for label, argv in runs:
        out = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        output = out.stdout + '\n' + out.stderr
        if out.returncode:
            sys.stderr.write('no-deprecations: %s failed (rc %d):\n%s\n' % (label, out.returncode, output[-4000:]))
            failed = True
        for block in deprecations(output):
            failed = True
            where = ours(block)
            sys.stderr.write('no-deprecations: %s: %s\n%s\n' % (
                label, block[0].strip(), '\n'.join(where) if where else
                '  (no frame of daprkit.dapr in its traceback; the whole warning follows)\n' + '\n'.join(block[1:])))
    core = version.splitlines()[0]
    if failed:
        sys.stderr.write('no-deprecations: FAILED on %s\n' % core)
        return 1
    print('no-deprecations: %d runs (the offline playbook, %d playbook syntax checks, ansible-doc of %d plugins and '
          'roles), no deprecation warning, on %s' % (len(runs), len(runs) - 1 - len(plugins()), len(plugins()), core))
    return 0


if __name__ == '__main__':
    sys.exit(main())
