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
            instructions (str | Unset): What the agent should do.
            agent (str | Unset): Agent type (default: the project's default agent).
            model (str | Unset): Model.
            acceptance_criteria (list[str] | Unset): What the checker checks the work against.
            depends_on (list[str] | Unset): Keys of tasks that must be COMPLETED before this one is queued.
            argv (list[str] | Unset): For `exec` tasks: the argv.
            timeout (str | Unset): Timeout like `30m`.
            budget_usd (float | Unset): Budget in US dollars.
            max_attempts (int | Unset): Attempts (default 3).
     """

    key: str
    title: str
    instructions: str | Unset = UNSET
    agent: str | Unset = UNSET
    model: str | Unset = UNSET
    acceptance_criteria: list[str] | Unset = UNSET
    depends_on: list[str] | Unset = UNSET
    argv: list[str] | Unset = UNSET
    timeout: str | Unset = UNSET
    budget_usd: float | Unset = UNSET
    max_attempts: int | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        key = self.key

        title = self.title

        instructions = self.instructions

        agent = self.agent

        model = self.model

        acceptance_criteria: list[str] | Unset = UNSET
        if not isinstance(self.acceptance_criteria, Unset):
            acceptance_criteria = self.acceptance_criteria



        depends_on: list[str] | Unset = UNSET
        if not isinstance(self.depends_on, Unset):
            depends_on = self.depends_on



        argv: list[str] | Unset = UNSET
        if not isinstance(self.argv, Unset):
            argv = self.argv



        timeout = self.timeout

        budget_usd = self.budget_usd

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

        instructions = d.pop("instructions", UNSET)

        agent = d.pop("agent", UNSET)

        model = d.pop("model", UNSET)

        acceptance_criteria = cast(list[str], d.pop("acceptance_criteria", UNSET))


        depends_on = cast(list[str], d.pop("depends_on", UNSET))


        argv = cast(list[str], d.pop("argv", UNSET))


        timeout = d.pop("timeout", UNSET)

        budget_usd = d.pop("budget_usd", UNSET)

        max_attempts = d.pop("max_attempts", UNSET)

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

