#!/usr/bin/env python
"""Dry run of the 0.1.0 release notes: antsibull-changelog release in a temporary copy of the checkout
(never in the checkout itself), then check what users would read.

- New Modules, New Roles and New Playbooks list exactly what the collection ships;
- no Bugfixes (there is no earlier release whose bugs could be fixed);
- no entry about the project's own tests (users cannot run molecule scenarios or unit tests).

Usage: tools/changelog_check.py   (exit 1 and name every problem)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
VERSION = '0.1.0'
# imported by the playbooks users run, never run alone: target_check (refuses an inventory without a cluster host)
# and summary (the run's line per cluster)
IMPORTED_ONLY_PLAYBOOKS = {'target_check', 'summary'}
TEST_ONLY = re.compile(r'\b(molecule|scenarios?|unit tests?|make test|test-fast|test-cluster|CI)\b')


def shipped():
    modules = {f[:-3] for f in os.listdir(os.path.join(ROOT, 'plugins', 'modules'))
               if f.endswith('.py') and f != '__init__.py'}
    roles = {d for d in os.listdir(os.path.join(ROOT, 'roles')) if os.path.isdir(os.path.join(ROOT, 'roles', d))}
    playbooks = {f[:-4] for f in os.listdir(os.path.join(ROOT, 'playbooks')) if f.endswith('.yml')}
    return dict(modules=modules, roles=roles, playbooks=playbooks - IMPORTED_ONLY_PLAYBOOKS)


def copy_checkout(dest):
    # what would be committed: tracked and new files, not ignored ones (.venv, caches)
    files = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.splitlines()
    for name in files:
        source = os.path.join(ROOT, name)
        if name.startswith(('collections/', 'molecule/', 'tools/cluster/')) or not os.path.isfile(source):
            continue
        os.makedirs(os.path.dirname(os.path.join(dest, name)), exist_ok=True)
        shutil.copy2(source, os.path.join(dest, name))


def section(notes, heading):
    """The text of one section of the RST notes (from its underlined heading to the next heading)."""
    match = re.search(r'^%s\n-+\n(.*?)(?=^\S[^\n]*\n[-=~]+\n|\Z)' % re.escape(heading), notes, re.M | re.S)
    return match.group(1) if match else ''


def entries(changes):
    for kind, value in changes.items():
        for text in ([value] if isinstance(value, str) else value):
            yield kind, text


def main():
    problems = []
    work = tempfile.mkdtemp(prefix='daprkit-changelog-')
    try:
        copy_checkout(work)
        env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(work, 'no-ansible.cfg'))
        open(env['ANSIBLE_CONFIG'], 'w').write('[defaults]\n')
        run = subprocess.run(['antsibull-changelog', 'release', '--version', VERSION, '--date', '2026-12-31'],
                             cwd=work, env=env, capture_output=True, text=True, check=False)
        if run.returncode:
            sys.stderr.write('changelog-check: antsibull-changelog release failed:\n%s%s' % (run.stdout, run.stderr))
            return 1
        changelog = yaml.safe_load(open(os.path.join(work, 'changelogs', 'changelog.yaml')))
        notes = open(os.path.join(work, 'CHANGELOG.rst')).read()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    release = changelog['releases'][VERSION]
    expected = shipped()
    found = dict(modules={m['name'] for m in release.get('modules', [])},
                 roles={r['name'] for r in release.get('objects', {}).get('role', [])},
                 playbooks={p['name'] for p in release.get('objects', {}).get('playbook', [])})
    for kind, heading in (('modules', 'New Modules'), ('roles', 'New Roles'), ('playbooks', 'New Playbooks')):
        if found[kind] != expected[kind]:
            problems.append('%s lists %s; the collection ships %s' % (heading, sorted(found[kind]) or 'nothing',
                                                                      sorted(expected[kind])))
        listed = set(re.findall(r'^- (\S+) - ', section(notes, heading), re.M))
        if listed != expected[kind]:
            problems.append('CHANGELOG.rst lists %s under %s; expected %s'
                            % (sorted(listed) or 'nothing', heading, sorted(expected[kind])))
    changes = release.get('changes', {})
    if changes.get('bugfixes'):
        problems.append('%s is the first release, yet it lists bugfixes: %s' % (VERSION, changes['bugfixes']))
    for kind, text in entries(changes):
        if TEST_ONLY.search(text):
            problems.append('%s entry about the project\'s tests, not about what users get: %s' % (kind, text))
    for problem in problems:
        sys.stderr.write('changelog-check: %s\n' % problem)
    if not problems:
        print('changelog-check: %s notes list New Modules %s, New Roles %s, New Playbooks %s; no bugfixes, '
              'no test-only entries' % (VERSION, sorted(found['modules']), sorted(found['roles']),
                                        sorted(found['playbooks'])))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
