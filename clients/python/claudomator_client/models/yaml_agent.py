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
            type_ (None | str | Unset): Agent type; absent or `auto`: classified as for JSON tasks.
            model (None | str | Unset): Model.
            instructions (None | str | Unset): Instructions.
            project_dir (None | str | Unset): For `exec` and `noop`: the working directory. For model agents (which work in
                a clone of
                their project's repository): selects the project whose `repository` is this path or URL;
                a directory that is no project's repository is refused.
            working_dir (None | str | Unset): Same as `project_dir`.
            max_budget_usd (float | None | Unset): Budget in US dollars, for all attempts together.
            permission_mode (None | str | Unset): Permission mode.
            allowed_tools (list[str] | None | Unset): Allowed tools.
            argv (list[str] | None | Unset): Command of an `exec` task.
            max_turns (int | None | Unset): Turn limit.
     """

    type_: None | str | Unset = UNSET
    model: None | str | Unset = UNSET
    instructions: None | str | Unset = UNSET
    project_dir: None | str | Unset = UNSET
    working_dir: None | str | Unset = UNSET
    max_budget_usd: float | None | Unset = UNSET
    permission_mode: None | str | Unset = UNSET
    allowed_tools: list[str] | None | Unset = UNSET
    argv: list[str] | None | Unset = UNSET
    max_turns: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        type_: None | str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        else:
            type_ = self.type_

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        instructions: None | str | Unset
        if isinstance(self.instructions, Unset):
            instructions = UNSET
        else:
            instructions = self.instructions

        project_dir: None | str | Unset
        if isinstance(self.project_dir, Unset):
            project_dir = UNSET
        else:
            project_dir = self.project_dir

        working_dir: None | str | Unset
        if isinstance(self.working_dir, Unset):
            working_dir = UNSET
        else:
            working_dir = self.working_dir

        max_budget_usd: float | None | Unset
        if isinstance(self.max_budget_usd, Unset):
            max_budget_usd = UNSET
        else:
            max_budget_usd = self.max_budget_usd

        permission_mode: None | str | Unset
        if isinstance(self.permission_mode, Unset):
            permission_mode = UNSET
        else:
            permission_mode = self.permission_mode

        allowed_tools: list[str] | None | Unset
        if isinstance(self.allowed_tools, Unset):
            allowed_tools = UNSET
        elif isinstance(self.allowed_tools, list):
            allowed_tools = self.allowed_tools


        else:
            allowed_tools = self.allowed_tools

        argv: list[str] | None | Unset
        if isinstance(self.argv, Unset):
            argv = UNSET
        elif isinstance(self.argv, list):
            argv = self.argv


        else:
            argv = self.argv

        max_turns: int | None | Unset
        if isinstance(self.max_turns, Unset):
            max_turns = UNSET
        else:
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
        def _parse_type_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        type_ = _parse_type_(d.pop("type", UNSET))


        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))


        def _parse_instructions(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instructions = _parse_instructions(d.pop("instructions", UNSET))


        def _parse_project_dir(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        project_dir = _parse_project_dir(d.pop("project_dir", UNSET))


        def _parse_working_dir(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        working_dir = _parse_working_dir(d.pop("working_dir", UNSET))


        def _parse_max_budget_usd(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_budget_usd = _parse_max_budget_usd(d.pop("max_budget_usd", UNSET))


        def _parse_permission_mode(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        permission_mode = _parse_permission_mode(d.pop("permission_mode", UNSET))


        def _parse_allowed_tools(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                allowed_tools_type_0 = cast(list[str], data)

                return allowed_tools_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        allowed_tools = _parse_allowed_tools(d.pop("allowed_tools", UNSET))


        def _parse_argv(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                argv_type_0 = cast(list[str], data)

                return argv_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        argv = _parse_argv(d.pop("argv", UNSET))


        def _parse_max_turns(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_turns = _parse_max_turns(d.pop("max_turns", UNSET))


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

