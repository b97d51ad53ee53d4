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
  from ..models.story_task_view import StoryTaskView





T = TypeVar("T", bound="StoryView")



@_attrs_define
class StoryView:
    """ A story.

        Attributes:
            id (UUID): Id.
            project_id (UUID): Project.
            title (str): Title.
            description (str): Description.
            branch (str): The branch its tasks share.
            state (str): `OPEN`, `SHIPPABLE`, `SHIPPING`, `VALIDATING`, `REVIEW_READY` or `NEEDS_FIX`.
            created_at (datetime.datetime): Created.
            updated_at (datetime.datetime): Last change.
            tasks (list[StoryTaskView]): Its tasks: work, checkers, validation.
            checker_agent (str | Unset): Agent type of its checkers, when chosen.
            validation_task_id (UUID | Unset): The validation task, once shipped.
            merge_commit (str | Unset): The merge commit on the default branch.
            last_error (str | Unset): Why shipping or validation failed.
     """

    id: UUID
    project_id: UUID
    title: str
    description: str
    branch: str
    state: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    tasks: list[StoryTaskView]
    checker_agent: str | Unset = UNSET
    validation_task_id: UUID | Unset = UNSET
    merge_commit: str | Unset = UNSET
    last_error: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.story_task_view import StoryTaskView # noqa: PLC0415
        id = str(self.id)

        project_id = str(self.project_id)

        title = self.title

        description = self.description

        branch = self.branch

        state = self.state

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        tasks = []
        for tasks_item_data in self.tasks:
            tasks_item = tasks_item_data.to_dict()
            tasks.append(tasks_item)



        checker_agent = self.checker_agent

        validation_task_id: str | Unset = UNSET
        if not isinstance(self.validation_task_id, Unset):
            validation_task_id = str(self.validation_task_id)

        merge_commit = self.merge_commit

        last_error = self.last_error


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "project_id": project_id,
            "title": title,
            "description": description,
            "branch": branch,
            "state": state,
            "created_at": created_at,
            "updated_at": updated_at,
            "tasks": tasks,
        })
        if checker_agent is not UNSET:
            field_dict["checker_agent"] = checker_agent
        if validation_task_id is not UNSET:
            field_dict["validation_task_id"] = validation_task_id
        if merge_commit is not UNSET:
            field_dict["merge_commit"] = merge_commit
        if last_error is not UNSET:
            field_dict["last_error"] = last_error

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.story_task_view import StoryTaskView # noqa: PLC0415
        d = dict(src_dict)
        id = UUID(d.pop("id"))




        project_id = UUID(d.pop("project_id"))




        title = d.pop("title")

        description = d.pop("description")

        branch = d.pop("branch")

        state = d.pop("state")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




        tasks = []
        _tasks = d.pop("tasks")
        for tasks_item_data in (_tasks):
            tasks_item = StoryTaskView.from_dict(tasks_item_data)



            tasks.append(tasks_item)


        checker_agent = d.pop("checker_agent", UNSET)

        _validation_task_id = d.pop("validation_task_id", UNSET)
        validation_task_id: UUID | Unset
        if isinstance(_validation_task_id,  Unset):
            validation_task_id = UNSET
        else:
            validation_task_id = UUID(_validation_task_id)




        merge_commit = d.pop("merge_commit", UNSET)

        last_error = d.pop("last_error", UNSET)

        story_view = cls(
            id=id,
            project_id=project_id,
            title=title,
            description=description,
            branch=branch,
            state=state,
            created_at=created_at,
            updated_at=updated_at,
            tasks=tasks,
            checker_agent=checker_agent,
            validation_task_id=validation_task_id,
            merge_commit=merge_commit,
            last_error=last_error,
        )


        story_view.additional_properties = d
        return story_view

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
