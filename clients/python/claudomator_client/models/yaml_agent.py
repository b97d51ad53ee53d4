from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="YamlAgent")



@_attrs_define
class YamlAgent:
    """ The `agent:` block of the original task YAML (`claude:` is accepted as its old name).

        Attributes:
            type_ (str | Unset): Agent type; absent or `auto`: classified as for JSON tasks.
            model (str | Unset): Model.
            instructions (str | Unset): Instructions.
            project_dir (str | Unset): For `exec` and `noop`: the working directory. For model agents (which work in a clone
                of
                their project's repository): selects the project whose `repository` is this path or URL;
                a directory that is no project's repository is refused.
            working_dir (str | Unset): Same as `project_dir`.
            max_budget_usd (float | Unset): Budget in US dollars, for all attempts together.
            permission_mode (str | Unset): Permission mode.
            allowed_tools (list[str] | Unset): Allowed tools.
            argv (list[str] | Unset): Command of an `exec` task.
            max_turns (int | Unset): Turn limit.
     """

    type_: str | Unset = UNSET
    model: str | Unset = UNSET
    instructions: str | Unset = UNSET
    project_dir: str | Unset = UNSET
    working_dir: str | Unset = UNSET
    max_budget_usd: float | Unset = UNSET
    permission_mode: str | Unset = UNSET
    allowed_tools: list[str] | Unset = UNSET
    argv: list[str] | Unset = UNSET
    max_turns: int | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        model = self.model

        instructions = self.instructions

        project_dir = self.project_dir

        working_dir = self.working_dir

        max_budget_usd = self.max_budget_usd

        permission_mode = self.permission_mode

        allowed_tools: list[str] | Unset = UNSET
        if not isinstance(self.allowed_tools, Unset):
            allowed_tools = self.allowed_tools



        argv: list[str] | Unset = UNSET
        if not isinstance(self.argv, Unset):
            argv = self.argv



        max_turns = self.max_turns


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if type_ is not UNSET:
            field_dict["type"] = type_
        if model is not UNSET:
            field_dict["model"] = model
        if instructions is not UNSET:
            field_dict["instructions"] = instructions
        if project_dir is not UNSET:
            field_dict["project_dir"] = project_dir
        if working_dir is not UNSET:
            field_dict["working_dir"] = working_dir
        if max_budget_usd is not UNSET:
            field_dict["max_budget_usd"] = max_budget_usd
        if permission_mode is not UNSET:
            field_dict["permission_mode"] = permission_mode
        if allowed_tools is not UNSET:
            field_dict["allowed_tools"] = allowed_tools
        if argv is not UNSET:
            field_dict["argv"] = argv
        if max_turns is not UNSET:
            field_dict["max_turns"] = max_turns

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = d.pop("type", UNSET)

        model = d.pop("model", UNSET)

        instructions = d.pop("instructions", UNSET)

        project_dir = d.pop("project_dir", UNSET)

        working_dir = d.pop("working_dir", UNSET)

        max_budget_usd = d.pop("max_budget_usd", UNSET)

        permission_mode = d.pop("permission_mode", UNSET)

        allowed_tools = cast(list[str], d.pop("allowed_tools", UNSET))


        argv = cast(list[str], d.pop("argv", UNSET))


        max_turns = d.pop("max_turns", UNSET)

        yaml_agent = cls(
            type_=type_,
            model=model,
            instructions=instructions,
            project_dir=project_dir,
            working_dir=working_dir,
            max_budget_usd=max_budget_usd,
            permission_mode=permission_mode,
            allowed_tools=allowed_tools,
            argv=argv,
            max_turns=max_turns,
        )

        return yaml_agent

