from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from uuid import UUID






T = TypeVar("T", bound="ElaborateStoryBody")



@_attrs_define
class ElaborateStoryBody:
    """ Body of `POST /api/stories/elaborate`.

        Attributes:
            request (str): What the story should deliver, in a line or a paragraph.
            project_id (None | Unset | UUID): The project it is for (its name, repository and branch go into the prompt).
     """

    request: str
    project_id: None | Unset | UUID = UNSET





    def to_dict(self) -> dict[str, Any]:
        request = self.request

        project_id: None | str | Unset
        if isinstance(self.project_id, Unset):
            project_id = UNSET
        elif isinstance(self.project_id, UUID):
            project_id = str(self.project_id)
        else:
            project_id = self.project_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "request": request,
        })
        if project_id is not UNSET:
            field_dict["project_id"] = project_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        request = d.pop("request")

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


        elaborate_story_body = cls(
            request=request,
            project_id=project_id,
        )

        return elaborate_story_body

