from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.task_state import TaskState
from ..types import UNSET, Unset
from typing import cast
from uuid import UUID
import datetime

if TYPE_CHECKING:
  from ..models.exec_options import ExecOptions
  from ..models.question_view import QuestionView





T = TypeVar("T", bound="TaskView")



@_attrs_define
class TaskView:
    """ A task.

        Attributes:
            id (UUID): Id.
            title (str): Title.
            description (str): Description.
            instructions (str): Instructions.
            agent (str): Agent type.
            priority (str): Priority.
            state (TaskState): Task states.
            attempt (int): Claims so far (the fencing token).
            attempts_used (int): Attempts counted against `max_attempts`.
            max_attempts (int): Attempt limit.
            review (bool): Success waits for review.
            labels (list[str]): Labels.
            depends_on (list[UUID]): Prerequisites.
            allowed_tools (list[str]): Allowed tools.
            created_at (datetime.datetime): Created.
            updated_at (datetime.datetime): Last change.
            warnings (list[str]): Why the task may not run soon, for humans: set while it waits (PENDING, QUEUED) for an
                agent type no live worker serves. Empty otherwise.
            model (str | Unset): Model.
            timeout_secs (int | Unset): Per-attempt timeout in seconds.
            budget_usd (float | Unset): Budget.
            project_id (UUID | Unset): Project.
            parent_task_id (UUID | Unset): Parent task.
            run_at (datetime.datetime | Unset): Earliest start.
            exec_ (ExecOptions | Unset): Command of an `exec` task, run without a shell.
            permission_mode (str | Unset): Permission mode.
            max_turns (int | Unset): Turn limit.
            last_error (str | Unset): Why the last attempt ended as it did.
            question (QuestionView | Unset): A question an agent asked.
            rejection_comment (str | Unset): Reviewer's comment after a reject.
     """

    id: UUID
    title: str
    description: str
    instructions: str
    agent: str
    priority: str
    state: TaskState
    attempt: int
    attempts_used: int
    max_attempts: int
    review: bool
    labels: list[str]
    depends_on: list[UUID]
    allowed_tools: list[str]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    warnings: list[str]
    model: str | Unset = UNSET
    timeout_secs: int | Unset = UNSET
    budget_usd: float | Unset = UNSET
    project_id: UUID | Unset = UNSET
    parent_task_id: UUID | Unset = UNSET
    run_at: datetime.datetime | Unset = UNSET
    exec_: ExecOptions | Unset = UNSET
    permission_mode: str | Unset = UNSET
    max_turns: int | Unset = UNSET
    last_error: str | Unset = UNSET
    question: QuestionView | Unset = UNSET
    rejection_comment: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.exec_options import ExecOptions # noqa: PLC0415
        from ..models.question_view import QuestionView # noqa: PLC0415
        id = str(self.id)

        title = self.title

        description = self.description

        instructions = self.instructions

        agent = self.agent

        priority = self.priority

        state = self.state.value

        attempt = self.attempt

        attempts_used = self.attempts_used

        max_attempts = self.max_attempts

        review = self.review

        labels = self.labels



        depends_on = []
        for depends_on_item_data in self.depends_on:
            depends_on_item = str(depends_on_item_data)
            depends_on.append(depends_on_item)



        allowed_tools = self.allowed_tools



        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        warnings = self.warnings



        model = self.model

        timeout_secs = self.timeout_secs

        budget_usd = self.budget_usd

        project_id: str | Unset = UNSET
        if not isinstance(self.project_id, Unset):
            project_id = str(self.project_id)

        parent_task_id: str | Unset = UNSET
        if not isinstance(self.parent_task_id, Unset):
            parent_task_id = str(self.parent_task_id)

        run_at: str | Unset = UNSET
        if not isinstance(self.run_at, Unset):
            run_at = self.run_at.isoformat()

        exec_: dict[str, Any] | Unset = UNSET
        if not isinstance(self.exec_, Unset):
            exec_ = self.exec_.to_dict()

        permission_mode = self.permission_mode

        max_turns = self.max_turns

        last_error = self.last_error

        question: dict[str, Any] | Unset = UNSET
        if not isinstance(self.question, Unset):
            question = self.question.to_dict()

        rejection_comment = self.rejection_comment


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "title": title,
            "description": description,
            "instructions": instructions,
            "agent": agent,
            "priority": priority,
            "state": state,
            "attempt": attempt,
            "attempts_used": attempts_used,
            "max_attempts": max_attempts,
            "review": review,
            "labels": labels,
            "depends_on": depends_on,
            "allowed_tools": allowed_tools,
            "created_at": created_at,
            "updated_at": updated_at,
            "warnings": warnings,
        })
        if model is not UNSET:
            field_dict["model"] = model
        if timeout_secs is not UNSET:
            field_dict["timeout_secs"] = timeout_secs
        if budget_usd is not UNSET:
            field_dict["budget_usd"] = budget_usd
        if project_id is not UNSET:
            field_dict["project_id"] = project_id
        if parent_task_id is not UNSET:
            field_dict["parent_task_id"] = parent_task_id
        if run_at is not UNSET:
            field_dict["run_at"] = run_at
        if exec_ is not UNSET:
            field_dict["exec"] = exec_
        if permission_mode is not UNSET:
            field_dict["permission_mode"] = permission_mode
        if max_turns is not UNSET:
            field_dict["max_turns"] = max_turns
        if last_error is not UNSET:
            field_dict["last_error"] = last_error
        if question is not UNSET:
            field_dict["question"] = question
        if rejection_comment is not UNSET:
            field_dict["rejection_comment"] = rejection_comment

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.exec_options import ExecOptions # noqa: PLC0415
        from ..models.question_view import QuestionView # noqa: PLC0415
        d = dict(src_dict)
        id = UUID(d.pop("id"))




        title = d.pop("title")

        description = d.pop("description")

        instructions = d.pop("instructions")

        agent = d.pop("agent")

        priority = d.pop("priority")

        state = TaskState(d.pop("state"))




        attempt = d.pop("attempt")

        attempts_used = d.pop("attempts_used")

        max_attempts = d.pop("max_attempts")

        review = d.pop("review")

        labels = cast(list[str], d.pop("labels"))


        depends_on = []
        _depends_on = d.pop("depends_on")
        for depends_on_item_data in (_depends_on):
            depends_on_item = UUID(depends_on_item_data)



            depends_on.append(depends_on_item)


        allowed_tools = cast(list[str], d.pop("allowed_tools"))


        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




        warnings = cast(list[str], d.pop("warnings"))


        model = d.pop("model", UNSET)

        timeout_secs = d.pop("timeout_secs", UNSET)

        budget_usd = d.pop("budget_usd", UNSET)

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




        _run_at = d.pop("run_at", UNSET)
        run_at: datetime.datetime | Unset
        if isinstance(_run_at,  Unset):
            run_at = UNSET
        else:
            run_at = datetime.datetime.fromisoformat(_run_at)




        _exec_ = d.pop("exec", UNSET)
        exec_: ExecOptions | Unset
        if isinstance(_exec_,  Unset):
            exec_ = UNSET
        else:
            exec_ = ExecOptions.from_dict(_exec_)




        permission_mode = d.pop("permission_mode", UNSET)

        max_turns = d.pop("max_turns", UNSET)

        last_error = d.pop("last_error", UNSET)

        _question = d.pop("question", UNSET)
        question: QuestionView | Unset
        if isinstance(_question,  Unset):
            question = UNSET
        else:
            question = QuestionView.from_dict(_question)




        rejection_comment = d.pop("rejection_comment", UNSET)

        task_view = cls(
            id=id,
            title=title,
            description=description,
            instructions=instructions,
            agent=agent,
            priority=priority,
            state=state,
            attempt=attempt,
            attempts_used=attempts_used,
            max_attempts=max_attempts,
            review=review,
            labels=labels,
            depends_on=depends_on,
            allowed_tools=allowed_tools,
            created_at=created_at,
            updated_at=updated_at,
            warnings=warnings,
            model=model,
            timeout_secs=timeout_secs,
            budget_usd=budget_usd,
            project_id=project_id,
            parent_task_id=parent_task_id,
            run_at=run_at,
            exec_=exec_,
            permission_mode=permission_mode,
            max_turns=max_turns,
            last_error=last_error,
            question=question,
            rejection_comment=rejection_comment,
        )


        task_view.additional_properties = d
        return task_view

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
