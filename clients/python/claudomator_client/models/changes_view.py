from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="ChangesView")



@_attrs_define
class ChangesView:
    """ What an attempt changed in its git sandbox.

        Attributes:
            branch (str): The task's branch.
            commit (str): The branch's commit after the attempt.
            base (str): Where the branch left the project's default branch.
            files_changed (int): Files changed since `base`.
            insertions (int): Lines added since `base`.
            deletions (int): Lines removed since `base`.
            pushed (bool): Whether the branch was pushed to the project's repository.
     """

    branch: str
    commit: str
    base: str
    files_changed: int
    insertions: int
    deletions: int
    pushed: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        branch = self.branch

        commit = self.commit

        base = self.base

        files_changed = self.files_changed

        insertions = self.insertions

        deletions = self.deletions

        pushed = self.pushed


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "branch": branch,
            "commit": commit,
            "base": base,
            "files_changed": files_changed,
            "insertions": insertions,
            "deletions": deletions,
            "pushed": pushed,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        branch = d.pop("branch")

        commit = d.pop("commit")

        base = d.pop("base")

        files_changed = d.pop("files_changed")

        insertions = d.pop("insertions")

        deletions = d.pop("deletions")

        pushed = d.pop("pushed")

        changes_view = cls(
            branch=branch,
            commit=commit,
            base=base,
            files_changed=files_changed,
            insertions=insertions,
            deletions=deletions,
            pushed=pushed,
        )


        changes_view.additional_properties = d
        return changes_view

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
