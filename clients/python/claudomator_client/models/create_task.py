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
            description (str | Unset): Free text for humans.
            instructions (str | Unset): What the agent should do (required for model agents).
            agent (str | Unset): Agent type: `exec`, `noop`, `claude`, `gemini` or `local`; absent or `auto`: the least
                busy unpaused agent type of `CLASSIFY_AGENTS`, with a model tier when `model` is absent.
            model (str | Unset): Model name or tier.
            priority (str | Unset): `high`, `normal` (default) or `low`.
            max_attempts (int | Unset): Attempts before failing for good (1 to 50, default 3).
            timeout (str | Unset): Per-attempt timeout as a duration, e.g. `30m`.
            timeout_secs (int | Unset): Per-attempt timeout in seconds (instead of `timeout`).
            budget_usd (float | Unset): Cost limit in US dollars.
            labels (list[str] | Unset): Labels (a-z, 0-9, `-_.:/=`; at most 32).
            project_id (UUID | Unset): Project.
            parent_task_id (UUID | Unset): Parent task, for subtasks.
            depends_on (list[UUID] | Unset): Tasks that must complete first.
            run_at (datetime.datetime | Unset): Earliest start.
            delay_secs (int | Unset): Earliest start as a delay in seconds (instead of `run_at`).
            review (bool | Unset): Whether success waits for accept/reject (default: yes for model agents' top-level tasks).
            exec_ (ExecOptions | Unset): Command of an `exec` task, run without a shell.
            permission_mode (str | Unset): Permission mode for model CLIs.
            allowed_tools (list[str] | Unset): Tools a model CLI may use.
            max_turns (int | Unset): Turn limit for model CLIs.
     """

    title: str
    description: str | Unset = UNSET
    instructions: str | Unset = UNSET
    agent: str | Unset = UNSET
    model: str | Unset = UNSET
    priority: str | Unset = UNSET
    max_attempts: int | Unset = UNSET
    timeout: str | Unset = UNSET
    timeout_secs: int | Unset = UNSET
    budget_usd: float | Unset = UNSET
    labels: list[str] | Unset = UNSET
    project_id: UUID | Unset = UNSET
    parent_task_id: UUID | Unset = UNSET
    depends_on: list[UUID] | Unset = UNSET
    run_at: datetime.datetime | Unset = UNSET
    delay_secs: int | Unset = UNSET
    review: bool | Unset = UNSET
    exec_: ExecOptions | Unset = UNSET
    permission_mode: str | Unset = UNSET
    allowed_tools: list[str] | Unset = UNSET
    max_turns: int | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.exec_options import ExecOptions # noqa: PLC0415
        title = self.title

        description = self.description

        instructions = self.instructions

        agent = self.agent

        model = self.model

        priority = self.priority

        max_attempts = self.max_attempts

        timeout = self.timeout

        timeout_secs = self.timeout_secs

        budget_usd = self.budget_usd

        labels: list[str] | Unset = UNSET
        if not isinstance(self.labels, Unset):
            labels = self.labels



        project_id: str | Unset = UNSET
        if not isinstance(self.project_id, Unset):
            project_id = str(self.project_id)

        parent_task_id: str | Unset = UNSET
        if not isinstance(self.parent_task_id, Unset):
            parent_task_id = str(self.parent_task_id)

        depends_on: list[str] | Unset = UNSET
        if not isinstance(self.depends_on, Unset):
            depends_on = []
            for depends_on_item_data in self.depends_on:
                depends_on_item = str(depends_on_item_data)
                depends_on.append(depends_on_item)



        run_at: str | Unset = UNSET
        if not isinstance(self.run_at, Unset):
            run_at = self.run_at.isoformat()

        delay_secs = self.delay_secs

        review = self.review

        exec_: dict[str, Any] | Unset = UNSET
        if not isinstance(self.exec_, Unset):
            exec_ = self.exec_.to_dict()

        permission_mode = self.permission_mode

        allowed_tools: list[str] | Unset = UNSET
        if not isinstance(self.allowed_tools, Unset):
            allowed_tools = self.allowed_tools



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

        description = d.pop("description", UNSET)

        instructions = d.pop("instructions", UNSET)

        agent = d.pop("agent", UNSET)

        model = d.pop("model", UNSET)

        priority = d.pop("priority", UNSET)

        max_attempts = d.pop("max_attempts", UNSET)

        timeout = d.pop("timeout", UNSET)

        timeout_secs = d.pop("timeout_secs", UNSET)

        budget_usd = d.pop("budget_usd", UNSET)

        labels = cast(list[str], d.pop("labels", UNSET))


        _project_id = d.pop("project_id", UNSET)
        project_id: UUID | Unset
        if isinstance(_project_id,  Unset):
            project_id = UNSET
        else:
            project_id = UUID(_project_id)




        _parent_task_id = d.pop("parent_task_id", UNSET)
        parent_task_id: UUID | Unset
        if isinstance(_parent_task_id,  Unset):
            parent_task_id = UNSET
        else:
            parent_task_id = UUID(_parent_task_id)




        _depends_on = d.pop("depends_on", UNSET)
        depends_on: list[UUID] | Unset = UNSET
        if _depends_on is not UNSET:
            depends_on = []
            for depends_on_item_data in _depends_on:
                depends_on_item = UUID(depends_on_item_data)



                depends_on.append(depends_on_item)


        _run_at = d.pop("run_at", UNSET)
        run_at: datetime.datetime | Unset
        if isinstance(_run_at,  Unset):
            run_at = UNSET
        else:
            run_at = datetime.datetime.fromisoformat(_run_at)




        delay_secs = d.pop("delay_secs", UNSET)

        review = d.pop("review", UNSET)

        _exec_ = d.pop("exec", UNSET)
        exec_: ExecOptions | Unset
        if isinstance(_exec_,  Unset):
            exec_ = UNSET
        else:
            exec_ = ExecOptions.from_dict(_exec_)




        permission_mode = d.pop("permission_mode", UNSET)

        allowed_tools = cast(list[str], d.pop("allowed_tools", UNSET))


        max_turns = d.pop("max_turns", UNSET)

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

