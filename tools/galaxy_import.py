#!/usr/bin/env python
"""Galaxy's import of a collection archive, run here: galaxy-importer (what Galaxy and Automation Hub run on
every upload), offline, on the archive alone (no kubernetes.core or any other collection beside it).

Fails on any error or warning the importer logs, on anything its ansible-lint reports, and unless every
module comes out with its documentation (doc_strings), which Galaxy renders.

galaxy-importer has its own venv (.cache/galaxy-importer-venv, from tools/galaxy-importer-requirements.txt
and the ansible-core pin of test-requirements.txt): its pins (attrs<24, ansible-lint<=26.10.1) would hold
back the project venv, and the project venv has the `ansible` package, whose bundled kubernetes.core would
hide exactly the problems this check is for (a doc fragment or action group of another collection).

Usage: tools/galaxy_import.py <daprkit-dapr-<version>.tar.gz>
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
REQUIREMENTS = os.path.join(ROOT, 'tools', 'galaxy-importer-requirements.txt')
VENV = os.path.join(ROOT, '.cache', 'galaxy-importer-venv')
MODULES = ('dapr_shared', 'dapr_shared_info')
CONFIG = '''[galaxy-importer]
RUN_ANSIBLE_DOC = True
RUN_ANSIBLE_LINT = True
OFFLINE_ANSIBLE_LINT = True
RUN_ANSIBLE_TEST = False
RUN_FLAKE8 = False
CHECK_CHANGELOG = True
LOG_LEVEL_MAIN = INFO
'''
LINT_START, LINT_END = re.compile(r'^Linting collection via ansible-lint'), '...ansible-lint run complete'


def ansible_core_pin():
    for line in open(os.path.join(ROOT, 'test-requirements.txt')):
        if line.startswith('ansible-core=='):
            return line.strip()
    raise SystemExit('galaxy-import: test-requirements.txt pins no ansible-core')


def importer_venv():
    """The importer's venv, (re)made when its requirements, the ansible-core pin or the Python change."""
    python = getattr(sys, '_base_executable', sys.executable)
    key = hashlib.sha256((open(REQUIREMENTS).read() + ansible_core_pin() + python + sys.version).encode())
    stamp = os.path.join(VENV, '.installed-' + key.hexdigest()[:12])
    if not os.path.exists(stamp):
        shutil.rmtree(VENV, ignore_errors=True)
        subprocess.run([python, '-m', 'venv', VENV], check=True)
        with tempfile.NamedTemporaryFile('w', suffix='.txt') as constraint:
            constraint.write(ansible_core_pin() + '\n')
            constraint.flush()
            subprocess.run([os.path.join(VENV, 'bin', 'pip'), 'install', '--quiet', '--disable-pip-version-check',
                            '-r', REQUIREMENTS, '-c', constraint.name], check=True)
        open(stamp, 'w').close()
    return VENV


def run_importer(venv, archive, work):
    config = os.path.join(work, 'galaxy-importer.cfg')
    with open(config, 'w') as handle:
        handle.write(CONFIG)
    home = os.path.join(work, 'home')
    os.makedirs(home)
    # nothing of this machine's Ansible setup: an empty HOME (no ~/.ansible/collections), no ANSIBLE_* variables,
    # only the importer venv's programs on PATH
    env = dict(PATH=os.path.join(venv, 'bin') + ':/usr/local/bin:/usr/bin:/bin', HOME=home, LANG='C.UTF-8',
               GALAXY_IMPORTER_CONFIG=config)
    alone = subprocess.run([os.path.join(venv, 'bin', 'python'), '-c', 'import ansible_collections.kubernetes'],
                           env=env, cwd=work, capture_output=True, check=False)
    if alone.returncode == 0:
        raise SystemExit('galaxy-import: kubernetes.core is importable in %s: the import would not be alone' % venv)
    done = subprocess.run([os.path.join(venv, 'bin', 'python'), '-m', 'galaxy_importer.main', '--print-result',
                           os.path.abspath(archive)], env=env, cwd=work, capture_output=True, text=True, check=False)
    log = done.stdout + done.stderr
    with open(os.path.join(work, 'importer.log'), 'w') as handle:
        handle.write(log)
    result_file = os.path.join(work, 'importer_result.json')
    result = json.load(open(result_file)) if os.path.exists(result_file) else None
    return done.returncode, log, result


def findings(log):
    """(errors, warnings outside the lint, lint lines) of the importer's log."""
    errors, warnings, lint, in_lint = [], [], [], False
    for line in log.splitlines():
        if LINT_START.match(line):
            in_lint = True
        elif line.strip() == LINT_END:
            in_lint = False
        elif in_lint and line.strip():
            lint.append(line)
        elif line.startswith('ERROR:') or line.startswith('CRITICAL:') or line.startswith('Traceback'):
            errors.append(line)
        elif line.startswith('WARNING:'):
            warnings.append(line)
    return errors, warnings, lint


def module_docs(result):
    """{module: number of documented options, or None when its doc_strings are missing}"""
    found = dict((name, None) for name in MODULES)
    for item in (result or {}).get('docs_blob', {}).get('contents', []):
        if item.get('content_type') == 'module' and item.get('content_name') in found:
            doc = (item.get('doc_strings') or {}).get('doc') or {}
            found[item['content_name']] = len(doc.get('options') or {}) if doc else None
    return found


def main(archive):
    venv = importer_venv()
    version = subprocess.run([os.path.join(venv, 'bin', 'pip'), 'show', 'galaxy-importer', 'ansible-lint',
                              'ansible-core'], capture_output=True, text=True, check=True).stdout
    versions = ', '.join('%s %s' % pair for pair in re.findall(r'^Name: (\S+)\nVersion: (\S+)', version, re.M))
    work = tempfile.mkdtemp(prefix='galaxy-import.')
    try:
        rc, log, result = run_importer(venv, archive, work)
        errors, warnings, lint = findings(log)
        docs = module_docs(result)
        problems = ['importer exit code %d' % rc] if rc else []
        problems += errors + warnings + ['ansible-lint: ' + line for line in lint]
        if result is None:
            problems.append('no importer_result.json: the import did not complete')
        else:
            problems += ['module %s: no doc_strings (ansible-doc failed on the collection alone)' % name
                         for name, options in sorted(docs.items()) if not options]
        print('galaxy-import (%s) of %s, offline, the collection alone:' % (versions, os.path.basename(archive)))
        print('  errors: %d, warnings: %d' % (len(errors), len(warnings)))
        described = ['%s %s' % (name, '%d options' % options if options else 'MISSING')
                     for name, options in sorted(docs.items())]
        print('  doc_strings: %s' % ', '.join(described))
        print('  ansible-lint: %s' % ('%d lines reported' % len(lint) if lint else 'nothing reported'))
        if result:
            print('  contents: %d (%s)' % (len(result.get('contents', [])), ', '.join(sorted(set(
                c['content_type'] for c in result.get('contents', []))))))
        if problems:
            sys.stderr.write('galaxy-import: FAILED\n%s\n' % '\n'.join('  ' + p for p in problems))
            sys.stderr.write('  (the importer log, last 40 lines)\n%s\n' % '\n'.join(
                '  | ' + line for line in log.splitlines()[-40:]))
            return 1
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1]))
