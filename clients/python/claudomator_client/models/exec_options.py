from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ExecOptions")



@_attrs_define
class ExecOptions:
    """ Command of an `exec` task, run without a shell.

        Attributes:
            argv (list[str]): Program and arguments, e.g. `["cargo", "test"]`.
            working_dir (None | str | Unset): Working directory (default: the worker's).
     """

    argv: list[str]
    working_dir: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        argv = self.argv



        working_dir: None | str | Unset
        if isinstance(self.working_dir, Unset):
            working_dir = UNSET
        else:
            working_dir = self.working_dir


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "argv": argv,
        })
        if working_dir is not UNSET:
            field_dict["working_dir"] = working_dir

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        argv = cast(list[str], d.pop("argv"))


        def _parse_working_dir(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        working_dir = _parse_working_dir(d.pop("working_dir", UNSET))


        exec_options = cls(
            argv=argv,
            working_dir=working_dir,
        )

        return exec_options

