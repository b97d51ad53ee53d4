from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="PatchProject")



@_attrs_define
class PatchProject:
    """ Changes to a project; `null` clears a field.

        Attributes:
            name (None | str | Unset): Name.
            repository (None | str | Unset): Repository.
            default_branch (None | str | Unset): Default branch.
            github_repo (None | str | Unset): GitHub repository.
            gitlab_project (None | str | Unset): GitLab project.
            webhook_secret (None | str | Unset): Webhook secret.
            default_agent (None | str | Unset): Default agent.
            default_model (None | str | Unset): Default model.
            max_running (int | None | Unset): Running limit.
            deploy_command (list[str] | None | Unset): Deploy command.
     """

    name: None | str | Unset = UNSET
    repository: None | str | Unset = UNSET
    default_branch: None | str | Unset = UNSET
    github_repo: None | str | Unset = UNSET
    gitlab_project: None | str | Unset = UNSET
    webhook_secret: None | str | Unset = UNSET
    default_agent: None | str | Unset = UNSET
    default_model: None | str | Unset = UNSET
    max_running: int | None | Unset = UNSET
    deploy_command: list[str] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        repository: None | str | Unset
        if isinstance(self.repository, Unset):
            repository = UNSET
        else:
            repository = self.repository

        default_branch: None | str | Unset
        if isinstance(self.default_branch, Unset):
            default_branch = UNSET
        else:
            default_branch = self.default_branch

        github_repo: None | str | Unset
        if isinstance(self.github_repo, Unset):
            github_repo = UNSET
        else:
            github_repo = self.github_repo

        gitlab_project: None | str | Unset
        if isinstance(self.gitlab_project, Unset):
            gitlab_project = UNSET
        else:
            gitlab_project = self.gitlab_project

        webhook_secret: None | str | Unset
        if isinstance(self.webhook_secret, Unset):
            webhook_secret = UNSET
        else:
            webhook_secret = self.webhook_secret

        default_agent: None | str | Unset
        if isinstance(self.default_agent, Unset):
            default_agent = UNSET
        else:
            default_agent = self.default_agent

        default_model: None | str | Unset
        if isinstance(self.default_model, Unset):
            default_model = UNSET
        else:
            default_model = self.default_model

        max_running: int | None | Unset
        if isinstance(self.max_running, Unset):
            max_running = UNSET
        else:
            max_running = self.max_running

        deploy_command: list[str] | None | Unset
        if isinstance(self.deploy_command, Unset):
            deploy_command = UNSET
        elif isinstance(self.deploy_command, list):
            deploy_command = self.deploy_command


        else:
            deploy_command = self.deploy_command


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if name is not UNSET:
            field_dict["name"] = name
        if repository is not UNSET:
            field_dict["repository"] = repository
        if default_branch is not UNSET:
            field_dict["default_branch"] = default_branch
        if github_repo is not UNSET:
            field_dict["github_repo"] = github_repo
        if gitlab_project is not UNSET:
            field_dict["gitlab_project"] = gitlab_project
        if webhook_secret is not UNSET:
            field_dict["webhook_secret"] = webhook_secret
        if default_agent is not UNSET:
            field_dict["default_agent"] = default_agent
        if default_model is not UNSET:
            field_dict["default_model"] = default_model
        if max_running is not UNSET:
            field_dict["max_running"] = max_running
        if deploy_command is not UNSET:
            field_dict["deploy_command"] = deploy_command

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


        def _parse_repository(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        repository = _parse_repository(d.pop("repository", UNSET))


        def _parse_default_branch(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        default_branch = _parse_default_branch(d.pop("default_branch", UNSET))


        def _parse_github_repo(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        github_repo = _parse_github_repo(d.pop("github_repo", UNSET))


        def _parse_gitlab_project(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        gitlab_project = _parse_gitlab_project(d.pop("gitlab_project", UNSET))


        def _parse_webhook_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        webhook_secret = _parse_webhook_secret(d.pop("webhook_secret", UNSET))


        def _parse_default_agent(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        default_agent = _parse_default_agent(d.pop("default_agent", UNSET))


        def _parse_default_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        default_model = _parse_default_model(d.pop("default_model", UNSET))


        def _parse_max_running(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_running = _parse_max_running(d.pop("max_running", UNSET))


        def _parse_deploy_command(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                deploy_command_type_0 = cast(list[str], data)

                return deploy_command_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        deploy_command = _parse_deploy_command(d.pop("deploy_command", UNSET))


        patch_project = cls(
            name=name,
            repository=repository,
            default_branch=default_branch,
            github_repo=github_repo,
            gitlab_project=gitlab_project,
            webhook_secret=webhook_secret,
            default_agent=default_agent,
            default_model=default_model,
            max_running=max_running,
            deploy_command=deploy_command,
        )

        return patch_project

