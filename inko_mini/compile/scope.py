"""Compile-time names: a module's run-time context and the scopes of frames."""

from __future__ import annotations


class ModuleContext:
    """What code of one module needs at run time: its object and globals."""

    def __init__(self, name, file, display_name=None):
        self.name = name
        self.file = file
        self.display_name = display_name or name
        self.module = None
        self.globals: dict = {}


class Scope:
    """Compile-time names of one frame; inline blocks push extra dicts."""

    def __init__(self, kind, outer=None):
        self.kind = kind  # 'method', 'closure', 'lambda', 'module', 'body'
        self.outer = outer  # (Scope, [dicts]) captured by a closure
        self.dicts = [{}]
        self.nslots = 0
        # Set when the body sends `defer` or catches throws: its frames may
        # own deferred blocks (runtime/deferred.py).
        self.owns_deferred = False
        self.defer_sends = 0
        # The send in tail position of a method, and that method's Code:
        # a send of the method to `self` there reuses the frame (§3.15).
        self.tail_node = None
        self.tail_code = None

    def declare(self, name):
        index = 3 + self.nslots
        self.nslots += 1
        self.dicts[-1][name] = index
        return index

    def temp(self):
        index = 3 + self.nslots
        self.nslots += 1
        return index

    def resolve(self, name):
        depth = 0
        scope, dicts = self, self.dicts
        while True:
            for d in reversed(dicts):
                i = d.get(name)
                if i is not None:
                    return depth, i
            if scope.kind != "closure" or scope.outer is None:
                return None
            scope, dicts = scope.outer
            depth += 1
