"""Commands declared once. A command is one pydantic model in its service's contract
(pavilion_contracts.<service>.commands): its fields are what the caller sends, its
`route` says where it is posted, which GraphQL mutation sends it and which kind of
record it changes. From that one declaration:

* the service's HTTP API: `command_router` posts each command at its route — the
  fields named in the path from the URL, the others as the JSON body — and hands the
  validated command to its handler;
* the handlers: a service registers one function per command (`Registry.handles`);
  `Registry.bind` refuses to start a service with a command that has no handler;
* the gateway's mutation input, derived from the model's fields (gateway.derived).

Adding a command is: its model (and its event) in the contract, its handler, and the
aggregate's rule — docs/contributing.md.
"""

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, TypeVar, cast, get_type_hints

from fastapi import APIRouter, Path, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError, create_model

from pavilion_core.bodies import ACCEPTED, Accepted, Body, Versioned
from pavilion_core.eventstore import AppendResult, CommandContext
from pavilion_core.http import run_command

_PLACEHOLDER = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Route:
    """Where a command is posted and what it is in the GraphQL API."""

    service: str
    path: str  # e.g. "/applications/{application_id}/reject": a placeholder per path field
    mutation: str  # its GraphQL mutation, e.g. "rejectApplication"
    changes: str  # the kind of record it changes, as the GraphQL API names it; "" for none
    creates: bool = False  # a new record: answered 201
    input: str = ""  # its GraphQL input type when not `<Mutation>Input` (shared by several)
    description: str | None = None

    @property
    def path_fields(self) -> tuple[str, ...]:
        return tuple(_PLACEHOLDER.findall(self.path))

    @property
    def input_name(self) -> str:
        return self.input or f"{self.mutation[0].upper()}{self.mutation[1:]}Input"


class Command(Versioned):
    """A command: fields as the caller sends them (camelCase on the wire), checked for
    form here; the aggregates check the rules."""

    route: ClassVar[Route]


C = TypeVar("C", bound=Command)


class Contract:
    """A service's commands, in the order they are declared."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.commands: list[type[Command]] = []

    def command(
        self,
        path: str,
        mutation: str,
        changes: str,
        *,
        creates: bool = False,
        input: str = "",
        description: str | None = None,
    ) -> Callable[[type[C]], type[C]]:
        """Declare a command of this service: posted at `path`, sent by `mutation`."""

        def declare(cls: type[C]) -> type[C]:
            route = Route(self.service, path, mutation, changes, creates, input, description)
            unknown = set(route.path_fields) - set(cls.model_fields)
            if unknown:
                raise TypeError(f"{cls.__name__}: {path} names no field {sorted(unknown)}")
            cls.route = route
            self.commands.append(cls)
            return cls

        return declare


Handler = Callable[[Any, CommandContext], Awaitable[AppendResult]]
Dispatch = Mapping[type[Command], Handler]
F = TypeVar("F", bound=Callable[..., Awaitable[AppendResult]])


class Registry:
    """Which method handles each command of a contract."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.functions: dict[type[Command], Callable[..., Awaitable[AppendResult]]] = {}

    def handles(self, *commands: type[Command]) -> Callable[[F], F]:
        """Register the decorated method as the handler of `commands`."""

        def register(function: F) -> F:
            for command in commands:
                if command not in self.contract.commands:
                    raise TypeError(f"{command.__name__} is no command of {self.contract.service}")
                if command in self.functions:
                    raise TypeError(f"{command.__name__} already has a handler")
                self.functions[command] = function
            return function

        return register

    def bind(self, *owners: object) -> Dispatch:
        """Each command's handler, bound to the one of `owners` whose class defines it;
        a TypeError names any command without one."""
        missing = [c.__name__ for c in self.contract.commands if c not in self.functions]
        if missing:
            raise TypeError(f"{self.contract.service}: no handler for {', '.join(missing)}")
        return {command: _bound(function, owners) for command, function in self.functions.items()}


def _bound(function: Callable[..., Awaitable[AppendResult]], owners: tuple[object, ...]) -> Handler:
    for owner in owners:
        if getattr(type(owner), function.__name__, None) is function:
            bound: Handler = getattr(owner, function.__name__)
            return bound
    raise TypeError(f"none of the given objects has the handler {function.__qualname__}")


def command_router(contract: Contract, dispatch: Callable[[Request], Dispatch]) -> APIRouter:
    """A POST route per command of `contract`, answered by `dispatch(request)`'s handler."""
    router = APIRouter(tags=["commands"])
    for command in contract.commands:
        posts(router, command, **ACCEPTED)(_handled(command, dispatch))
    return router


def _handled(
    command: type[Command], dispatch: Callable[[Request], Dispatch]
) -> Callable[[Command, Request], Awaitable[Accepted]]:
    async def answer(cmd: Command, request: Request) -> Accepted:
        return await run_command(request, cmd, dispatch(request)[command], cmd)

    return answer


A = TypeVar("A", bound=Callable[..., Awaitable[Any]])


def posts(router: APIRouter, command: type[Command], **options: Any) -> Callable[[A], A]:
    """Post `command` at its route on `router`, answered by the decorated
    `async (command, request)`: the path's fields from the URL, the others as the JSON
    body (which may be left out when none is required), validated as one model — a
    refusal is a RequestValidationError (422 VALIDATION). 201 for a command that
    creates a record; the answer's model is the function's return annotation unless
    `options` (FastAPI's route options) say otherwise."""

    def post(answer: A) -> A:
        _post(router, command, answer, options)
        return answer

    return post


def _post(
    router: APIRouter,
    command: type[Command],
    answer: Callable[[Any, Request], Awaitable[Any]],
    options: dict[str, Any],
) -> None:
    route = command.route
    in_path = route.path_fields
    body_fields = {n: f for n, f in command.model_fields.items() if n not in in_path}
    body_model = create_model(  # type: ignore[call-overload]
        f"{command.__name__}Body",
        __base__=Body,
        __doc__=command.__doc__,
        **{name: (field.annotation, field) for name, field in body_fields.items()},
    )
    optional = not any(field.is_required() for field in body_fields.values())

    async def endpoint(request: Request, body: Body | None, **path: Any) -> Any:
        # by alias, so that a refusal names the fields as the caller spells them
        given = body.model_dump(exclude_unset=True, by_alias=True) if body is not None else {}
        in_url = {command.model_fields[name].alias or name: value for name, value in path.items()}
        try:
            cmd = command.model_validate({**in_url, **given})
        except ValidationError as exc:
            raise RequestValidationError(exc.errors()) from exc
        return await answer(cmd, request)

    params = [
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
        inspect.Parameter(
            "body",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=body_model,
            default=None if optional else inspect.Parameter.empty,
        ),
    ]
    for name in in_path:
        field = command.model_fields[name]
        path_param = Path(description=field.description)
        annotation = cast(Any, Annotated)[(field.annotation, path_param, *field.metadata)]
        params.append(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)
        )
    answered = get_type_hints(answer).get("return", Any)
    endpoint.__signature__ = inspect.Signature(params, return_annotation=answered)  # type: ignore[attr-defined]
    endpoint.__name__ = route.mutation
    router.add_api_route(
        route.path,
        endpoint,
        methods=["POST"],
        status_code=201 if route.creates else 200,
        summary=command.__name__,
        description=route.description or command.__doc__ or "",
        **options,
    )
