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
  from ..models.create_story_task import CreateStoryTask





T = TypeVar("T", bound="CreateStory")



@_attrs_define
class CreateStory:
    """ A story to create.

        Attributes:
            project_id (UUID): The project (must have a repository to ship).
            title (str): Title.
            tasks (list[CreateStoryTask]): Its tasks.
            description (None | str | Unset): What the story delivers.
            checker_agent (None | str | Unset): Agent type of the checkers and the validation (default: one different from
                each task's).
     """

    project_id: UUID
    title: str
    tasks: list[CreateStoryTask]
    description: None | str | Unset = UNSET
    checker_agent: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.create_story_task import CreateStoryTask # noqa: PLC0415
        project_id = str(self.project_id)

        title = self.title

        tasks = []
        for tasks_item_data in self.tasks:
            tasks_item = tasks_item_data.to_dict()
            tasks.append(tasks_item)



        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        checker_agent: None | str | Unset
        if isinstance(self.checker_agent, Unset):
            checker_agent = UNSET
        else:
            checker_agent = self.checker_agent


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "project_id": project_id,
            "title": title,
            "tasks": tasks,
        })
        if description is not UNSET:
            field_dict["description"] = description
        if checker_agent is not UNSET:
            field_dict["checker_agent"] = checker_agent

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_story_task import CreateStoryTask # noqa: PLC0415
        d = dict(src_dict)
        project_id = UUID(d.pop("project_id"))




        title = d.pop("title")

        tasks = []
        _tasks = d.pop("tasks")
        for tasks_item_data in (_tasks):
            tasks_item = CreateStoryTask.from_dict(tasks_item_data)



            tasks.append(tasks_item)


        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        def _parse_checker_agent(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        checker_agent = _parse_checker_agent(d.pop("checker_agent", UNSET))


        create_story = cls(
            project_id=project_id,
            title=title,
            tasks=tasks,
            description=description,
            checker_agent=checker_agent,
        )

        return create_story

