from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="CreateStoryTask")



@_attrs_define
class CreateStoryTask:
    """ A work task of a new story.

        Attributes:
            key (str): Unique within the story; `depends_on` names these keys.
            title (str): Title.
            instructions (None | str | Unset): What the agent should do.
            agent (None | str | Unset): Agent type (default: the project's default agent).
            model (None | str | Unset): Model.
            acceptance_criteria (list[str] | None | Unset): What the checker checks the work against.
            depends_on (list[str] | None | Unset): Keys of tasks that must be COMPLETED before this one is queued.
            argv (list[str] | None | Unset): For `exec` tasks: the argv.
            timeout (None | str | Unset): Timeout like `30m`.
            budget_usd (float | None | Unset): Budget in US dollars.
            max_attempts (int | None | Unset): Attempts (default 3).
     """

    key: str
    title: str
    instructions: None | str | Unset = UNSET
    agent: None | str | Unset = UNSET
    model: None | str | Unset = UNSET
    acceptance_criteria: list[str] | None | Unset = UNSET
    depends_on: list[str] | None | Unset = UNSET
    argv: list[str] | None | Unset = UNSET
    timeout: None | str | Unset = UNSET
    budget_usd: float | None | Unset = UNSET
    max_attempts: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        key = self.key

        title = self.title

        instructions: None | str | Unset
        if isinstance(self.instructions, Unset):
            instructions = UNSET
        else:
            instructions = self.instructions

        agent: None | str | Unset
        if isinstance(self.agent, Unset):
            agent = UNSET
        else:
            agent = self.agent

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        acceptance_criteria: list[str] | None | Unset
        if isinstance(self.acceptance_criteria, Unset):
            acceptance_criteria = UNSET
        elif isinstance(self.acceptance_criteria, list):
            acceptance_criteria = self.acceptance_criteria


        else:
            acceptance_criteria = self.acceptance_criteria

        depends_on: list[str] | None | Unset
        if isinstance(self.depends_on, Unset):
            depends_on = UNSET
        elif isinstance(self.depends_on, list):
            depends_on = self.depends_on


        else:
            depends_on = self.depends_on

        argv: list[str] | None | Unset
        if isinstance(self.argv, Unset):
            argv = UNSET
        elif isinstance(self.argv, list):
            argv = self.argv


        else:
            argv = self.argv

        timeout: None | str | Unset
        if isinstance(self.timeout, Unset):
            timeout = UNSET
        else:
            timeout = self.timeout

        budget_usd: float | None | Unset
        if isinstance(self.budget_usd, Unset):
            budget_usd = UNSET
        else:
            budget_usd = self.budget_usd

        max_attempts: int | None | Unset
        if isinstance(self.max_attempts, Unset):
            max_attempts = UNSET
        else:
            max_attempts = self.max_attempts


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "key": key,
            "title": title,
        })
        if instructions is not UNSET:
            field_dict["instructions"] = instructions
        if agent is not UNSET:
            field_dict["agent"] = agent
        if model is not UNSET:
            field_dict["model"] = model
        if acceptance_criteria is not UNSET:
            field_dict["acceptance_criteria"] = acceptance_criteria
        if depends_on is not UNSET:
            field_dict["depends_on"] = depends_on
        if argv is not UNSET:
            field_dict["argv"] = argv
        if timeout is not UNSET:
            field_dict["timeout"] = timeout
        if budget_usd is not UNSET:
            field_dict["budget_usd"] = budget_usd
        if max_attempts is not UNSET:
            field_dict["max_attempts"] = max_attempts

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        key = d.pop("key")

        title = d.pop("title")

        def _parse_instructions(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instructions = _parse_instructions(d.pop("instructions", UNSET))


        def _parse_agent(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent = _parse_agent(d.pop("agent", UNSET))


        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))


        def _parse_acceptance_criteria(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                acceptance_criteria_type_0 = cast(list[str], data)

                return acceptance_criteria_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        acceptance_criteria = _parse_acceptance_criteria(d.pop("acceptance_criteria", UNSET))


        def _parse_depends_on(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                depends_on_type_0 = cast(list[str], data)

                return depends_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        depends_on = _parse_depends_on(d.pop("depends_on", UNSET))


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


        def _parse_timeout(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timeout = _parse_timeout(d.pop("timeout", UNSET))


        def _parse_budget_usd(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        budget_usd = _parse_budget_usd(d.pop("budget_usd", UNSET))


        def _parse_max_attempts(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_attempts = _parse_max_attempts(d.pop("max_attempts", UNSET))


        create_story_task = cls(
            key=key,
            title=title,
            instructions=instructions,
            agent=agent,
            model=model,
            acceptance_criteria=acceptance_criteria,
            depends_on=depends_on,
            argv=argv,
            timeout=timeout,
            budget_usd=budget_usd,
            max_attempts=max_attempts,
        )

        return create_story_task

