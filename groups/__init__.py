"""Matrix groups given by Lie-algebra and discrete generators (numpy only)."""

from groups.builtin import SO as SO
from groups.builtin import O as O
from groups.builtin import S as S
from groups.builtin import Trivial as Trivial
from groups.builtin import Z as Z
from groups.group import Group as Group

__all__ = ["Group", "SO", "O", "S", "Z", "Trivial"]
