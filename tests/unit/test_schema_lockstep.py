"""The instance schema is written once: the module spec, its documentation and the role specs must agree."""
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.daprkit.dapr.plugins.doc_fragments.instance import ModuleDocFragment
from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.modules import dapr_shared

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def _compare(spec, docs, path=''):
    assert sorted(spec) == sorted(docs), 'options differ at %s' % (path or 'top')
    for name, option in spec.items():
        doc = docs[name]
        where = path + name
        assert option.get('type', 'str') == doc.get('type', 'str'), where
        assert option.get('default') == doc.get('default'), where
        assert option.get('choices') == doc.get('choices'), where
        assert option.get('elements') == doc.get('elements'), where
        assert bool(option.get('required')) == bool(doc.get('required')), where
        if option.get('options'):
            _compare(option['options'], doc['suboptions'], where + '.')


def test_doc_fragment_matches_module_spec():
    spec = dapr_shared.argument_spec()
    _compare(dict((k, spec[k]) for k in SC.FIELDS), yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options'])


def test_derived_files_are_generated_and_fresh():
    result = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'gen_schema_docs.py'), '--check'], check=False)
    assert result.returncode == 0, 'run tools/gen_schema_docs.py'


@pytest.mark.parametrize('role', ['dapr_control_plane', 'dapr_shared'])
def test_role_defaults_mirror_argument_specs(role):
    defaults = yaml.safe_load(open(os.path.join(ROOT, 'roles', role, 'defaults', 'main.yml')))
    specs = yaml.safe_load(open(os.path.join(ROOT, 'roles', role, 'meta', 'argument_specs.yml')))
    options = specs['argument_specs']['main']['options']
    assert sorted(defaults) == sorted(options)
    for name, value in defaults.items():
        assert options[name].get('default') == value, name
        assert all(name.startswith('%s_' % role) for name in defaults)


@pytest.mark.parametrize('role', ['dapr_control_plane', 'dapr_shared'])
def test_readme_documents_every_role_variable(role):
    readme = open(os.path.join(ROOT, 'README.md')).read()
    defaults = yaml.safe_load(open(os.path.join(ROOT, 'roles', role, 'defaults', 'main.yml')))
    missing = [name for name in defaults if '`%s`' % name not in readme]
    assert missing == [], 'README lacks %s' % missing
