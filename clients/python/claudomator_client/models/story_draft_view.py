from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from uuid import UUID

if TYPE_CHECKING:
  from ..models.story_task_draft_view import StoryTaskDraftView





T = TypeVar("T", bound="StoryDraftView")



@_attrs_define
class StoryDraftView:
    """ A drafted story: what `POST /api/stories` takes (with `project_id` set when one was given).

        Attributes:
            title (str): Title.
            description (str): Description.
            tasks (list[StoryTaskDraftView]): Tasks, dependencies first.
            drafted_by (str): Which model wrote it: `local`, `claude` or `gemini`.
            project_id (UUID | Unset): The project, when the request named one.
     """

    title: str
    description: str
    tasks: list[StoryTaskDraftView]
    drafted_by: str
    project_id: UUID | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.story_task_draft_view import StoryTaskDraftView # noqa: PLC0415
        title = self.title

        description = self.description

        tasks = []
        for tasks_item_data in self.tasks:
            tasks_item = tasks_item_data.to_dict()
            tasks.append(tasks_item)



        drafted_by = self.drafted_by

        project_id: str | Unset = UNSET
        if not isinstance(self.project_id, Unset):
            project_id = str(self.project_id)


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "title": title,
            "description": description,
            "tasks": tasks,
            "drafted_by": drafted_by,
        })
        if project_id is not UNSET:
            field_dict["project_id"] = project_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.story_task_draft_view import StoryTaskDraftView # noqa: PLC0415
        d = dict(src_dict)
        title = d.pop("title")

        description = d.pop("description")

        tasks = []
        _tasks = d.pop("tasks")
        for tasks_item_data in (_tasks):
            tasks_item = StoryTaskDraftView.from_dict(tasks_item_data)



            tasks.append(tasks_item)


        drafted_by = d.pop("drafted_by")

        _project_id = d.pop("project_id", UNSET)
        project_id: UUID | Unset
        if isinstance(_project_id,  Unset):
            project_id = UNSET
        else:
            project_id = UUID(_project_id)




        story_draft_view = cls(
            title=title,
            description=description,
            tasks=tasks,
            drafted_by=drafted_by,
            project_id=project_id,
        )


        story_draft_view.additional_properties = d
        return story_draft_view

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
