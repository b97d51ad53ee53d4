from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from uuid import UUID
import datetime

if TYPE_CHECKING:
  from ..models.exec_options import ExecOptions





T = TypeVar("T", bound="CreateTask")



@_attrs_define
class CreateTask:
    """ A new task (JSON).

        Attributes:
            title (str): 1 to 200 characters.
            description (None | str | Unset): Free text for humans.
            instructions (None | str | Unset): What the agent should do (required for model agents).
            agent (None | str | Unset): Agent type: `exec`, `noop`, `claude`, `gemini` or `local`; absent or `auto`: the
                least
                busy unpaused agent type of `CLASSIFY_AGENTS`, with a model tier when `model` is absent.
            model (None | str | Unset): Model name or tier.
            priority (None | str | Unset): `high`, `normal` (default) or `low`.
            max_attempts (int | None | Unset): Attempts before failing for good (1 to 50, default 3).
            timeout (None | str | Unset): Per-attempt timeout as a duration, e.g. `30m`.
            timeout_secs (int | None | Unset): Per-attempt timeout in seconds (instead of `timeout`).
            budget_usd (float | None | Unset): Cost limit in US dollars.
            labels (list[str] | None | Unset): Labels (a-z, 0-9, `-_.:/=`; at most 32).
            project_id (None | Unset | UUID): Project.
            parent_task_id (None | Unset | UUID): Parent task, for subtasks.
            depends_on (list[UUID] | None | Unset): Tasks that must complete first.
            run_at (datetime.datetime | None | Unset): Earliest start.
            delay_secs (int | None | Unset): Earliest start as a delay in seconds (instead of `run_at`).
            review (bool | None | Unset): Whether success waits for accept/reject (default: yes for model agents' top-level
                tasks).
            exec_ (ExecOptions | None | Unset): Command, for `exec` tasks.
            permission_mode (None | str | Unset): Permission mode for model CLIs.
            allowed_tools (list[str] | None | Unset): Tools a model CLI may use.
            max_turns (int | None | Unset): Turn limit for model CLIs.
     """

    title: str
    description: None | str | Unset = UNSET
    instructions: None | str | Unset = UNSET
    agent: None | str | Unset = UNSET
    model: None | str | Unset = UNSET
    priority: None | str | Unset = UNSET
    max_attempts: int | None | Unset = UNSET
    timeout: None | str | Unset = UNSET
    timeout_secs: int | None | Unset = UNSET
    budget_usd: float | None | Unset = UNSET
    labels: list[str] | None | Unset = UNSET
    project_id: None | Unset | UUID = UNSET
    parent_task_id: None | Unset | UUID = UNSET
    depends_on: list[UUID] | None | Unset = UNSET
    run_at: datetime.datetime | None | Unset = UNSET
    delay_secs: int | None | Unset = UNSET
    review: bool | None | Unset = UNSET
    exec_: ExecOptions | None | Unset = UNSET
    permission_mode: None | str | Unset = UNSET
    allowed_tools: list[str] | None | Unset = UNSET
    max_turns: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.exec_options import ExecOptions # noqa: PLC0415
        title = self.title

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

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

        priority: None | str | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        else:
            priority = self.priority

        max_attempts: int | None | Unset
        if isinstance(self.max_attempts, Unset):
            max_attempts = UNSET
        else:
            max_attempts = self.max_attempts

        timeout: None | str | Unset
        if isinstance(self.timeout, Unset):
            timeout = UNSET
        else:
            timeout = self.timeout

        timeout_secs: int | None | Unset
        if isinstance(self.timeout_secs, Unset):
            timeout_secs = UNSET
        else:
            timeout_secs = self.timeout_secs

        budget_usd: float | None | Unset
        if isinstance(self.budget_usd, Unset):
            budget_usd = UNSET
        else:
            budget_usd = self.budget_usd

        labels: list[str] | None | Unset
        if isinstance(self.labels, Unset):
            labels = UNSET
        elif isinstance(self.labels, list):
            labels = self.labels


        else:
            labels = self.labels

        project_id: None | str | Unset
        if isinstance(self.project_id, Unset):
            project_id = UNSET
        elif isinstance(self.project_id, UUID):
            project_id = str(self.project_id)
        else:
            project_id = self.project_id

        parent_task_id: None | str | Unset
        if isinstance(self.parent_task_id, Unset):
            parent_task_id = UNSET
        elif isinstance(self.parent_task_id, UUID):
            parent_task_id = str(self.parent_task_id)
        else:
            parent_task_id = self.parent_task_id

        depends_on: list[str] | None | Unset
        if isinstance(self.depends_on, Unset):
            depends_on = UNSET
        elif isinstance(self.depends_on, list):
            depends_on = []
            for depends_on_type_0_item_data in self.depends_on:
                depends_on_type_0_item = str(depends_on_type_0_item_data)
                depends_on.append(depends_on_type_0_item)


        else:
            depends_on = self.depends_on

        run_at: None | str | Unset
        if isinstance(self.run_at, Unset):
            run_at = UNSET
        elif isinstance(self.run_at, datetime.datetime):
            run_at = self.run_at.isoformat()
        else:
            run_at = self.run_at

        delay_secs: int | None | Unset
        if isinstance(self.delay_secs, Unset):
            delay_secs = UNSET
        else:
            delay_secs = self.delay_secs

        review: bool | None | Unset
        if isinstance(self.review, Unset):
            review = UNSET
        else:
            review = self.review

        exec_: dict[str, Any] | None | Unset
        if isinstance(self.exec_, Unset):
            exec_ = UNSET
        elif isinstance(self.exec_, ExecOptions):
            exec_ = self.exec_.to_dict()
        else:
            exec_ = self.exec_

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

        max_turns: int | None | Unset
        if isinstance(self.max_turns, Unset):
            max_turns = UNSET
        else:
            max_turns = self.max_turns


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "title": title,
        })
        if description is not UNSET:
            field_dict["description"] = description
        if instructions is not UNSET:
            field_dict["instructions"] = instructions
        if agent is not UNSET:
            field_dict["agent"] = agent
        if model is not UNSET:
            field_dict["model"] = model
        if priority is not UNSET:
            field_dict["priority"] = priority
        if max_attempts is not UNSET:
            field_dict["max_attempts"] = max_attempts
        if timeout is not UNSET:
            field_dict["timeout"] = timeout
        if timeout_secs is not UNSET:
            field_dict["timeout_secs"] = timeout_secs
        if budget_usd is not UNSET:
            field_dict["budget_usd"] = budget_usd
        if labels is not UNSET:
            field_dict["labels"] = labels
        if project_id is not UNSET:
            field_dict["project_id"] = project_id
        if parent_task_id is not UNSET:
            field_dict["parent_task_id"] = parent_task_id
        if depends_on is not UNSET:
            field_dict["depends_on"] = depends_on
        if run_at is not UNSET:
            field_dict["run_at"] = run_at
        if delay_secs is not UNSET:
            field_dict["delay_secs"] = delay_secs
        if review is not UNSET:
            field_dict["review"] = review
        if exec_ is not UNSET:
            field_dict["exec"] = exec_
        if permission_mode is not UNSET:
            field_dict["permission_mode"] = permission_mode
        if allowed_tools is not UNSET:
            field_dict["allowed_tools"] = allowed_tools
        if max_turns is not UNSET:
            field_dict["max_turns"] = max_turns

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.exec_options import ExecOptions # noqa: PLC0415
        d = dict(src_dict)
        title = d.pop("title")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


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


        def _parse_priority(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))


        def _parse_max_attempts(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_attempts = _parse_max_attempts(d.pop("max_attempts", UNSET))


        def _parse_timeout(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timeout = _parse_timeout(d.pop("timeout", UNSET))


        def _parse_timeout_secs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        timeout_secs = _parse_timeout_secs(d.pop("timeout_secs", UNSET))


        def _parse_budget_usd(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        budget_usd = _parse_budget_usd(d.pop("budget_usd", UNSET))


        def _parse_labels(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                labels_type_0 = cast(list[str], data)

                return labels_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        labels = _parse_labels(d.pop("labels", UNSET))


        def _parse_project_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                project_id_type_0 = UUID(data)



                return project_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        project_id = _parse_project_id(d.pop("project_id", UNSET))


        def _parse_parent_task_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                parent_task_id_type_0 = UUID(data)



                return parent_task_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        parent_task_id = _parse_parent_task_id(d.pop("parent_task_id", UNSET))


        def _parse_depends_on(data: object) -> list[UUID] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                depends_on_type_0 = []
                _depends_on_type_0 = data
                for depends_on_type_0_item_data in (_depends_on_type_0):
                    depends_on_type_0_item = UUID(depends_on_type_0_item_data)



                    depends_on_type_0.append(depends_on_type_0_item)

                return depends_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[UUID] | None | Unset, data)

        depends_on = _parse_depends_on(d.pop("depends_on", UNSET))


        def _parse_run_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                run_at_type_0 = datetime.datetime.fromisoformat(data)



                return run_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        run_at = _parse_run_at(d.pop("run_at", UNSET))


        def _parse_delay_secs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        delay_secs = _parse_delay_secs(d.pop("delay_secs", UNSET))


        def _parse_review(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        review = _parse_review(d.pop("review", UNSET))


        def _parse_exec_(data: object) -> ExecOptions | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                exec_type_1 = ExecOptions.from_dict(data)



                return exec_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ExecOptions | None | Unset, data)

        exec_ = _parse_exec_(d.pop("exec", UNSET))


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


        def _parse_max_turns(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_turns = _parse_max_turns(d.pop("max_turns", UNSET))


        create_task = cls(
            title=title,
            description=description,
            instructions=instructions,
            agent=agent,
            model=model,
            priority=priority,
            max_attempts=max_attempts,
            timeout=timeout,
            timeout_secs=timeout_secs,
            budget_usd=budget_usd,
            labels=labels,
            project_id=project_id,
            parent_task_id=parent_task_id,
            depends_on=depends_on,
            run_at=run_at,
            delay_secs=delay_secs,
            review=review,
            exec_=exec_,
            permission_mode=permission_mode,
            allowed_tools=allowed_tools,
            max_turns=max_turns,
        )

        return create_task

