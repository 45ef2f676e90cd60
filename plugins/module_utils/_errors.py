# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: the exceptions modules turn into fail_json."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class DaprSharedError(Exception):
    """An error a user can act on. Raised once, reported once by main()."""

    def __init__(self, msg, **details):
        super(DaprSharedError, self).__init__(msg)
        self.msg = msg
        self.details = details


class InvalidInstance(DaprSharedError):
    """One or more fields of an instance are invalid; raised before any cluster change."""

    def __init__(self, problems):
        self.problems = list(problems)
        super(InvalidInstance, self).__init__('; '.join(self.problems), problems=self.problems)


class ApiUnreachable(DaprSharedError):
    """No answer from the API server (refused, reset, timed out): waits ride it out, changes do not."""


def answer_or_refusal(read):
    """read()'s answer, or the DaprSharedError the API server refused it with (typically no right to read it), for
    the caller to report instead of failing. An API server that does not answer is still raised."""
    try:
        return read()
    except ApiUnreachable:
        raise
    except DaprSharedError as exc:
        return exc
