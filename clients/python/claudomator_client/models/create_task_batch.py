from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.create_task import CreateTask





T = TypeVar("T", bound="CreateTaskBatch")



@_attrs_define
class CreateTaskBatch:
    """ Body of `POST /api/tasks/batch`.

        Attributes:
            tasks (list[CreateTask]): The tasks (at most `CLAUDOMATOR_MAX_BATCH`).
     """

    tasks: list[CreateTask]





    def to_dict(self) -> dict[str, Any]:
        from ..models.create_task import CreateTask # noqa: PLC0415
        tasks = []
        for tasks_item_data in self.tasks:
            tasks_item = tasks_item_data.to_dict()
            tasks.append(tasks_item)




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "tasks": tasks,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_task import CreateTask # noqa: PLC0415
        d = dict(src_dict)
        tasks = []
        _tasks = d.pop("tasks")
        for tasks_item_data in (_tasks):
            tasks_item = CreateTask.from_dict(tasks_item_data)



            tasks.append(tasks_item)


        create_task_batch = cls(
            tasks=tasks,
        )

        return create_task_batch

