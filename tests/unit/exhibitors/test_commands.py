"""Every command of the exhibitors contract has its handler, bound as the service binds
them at its start: forgetting a contact goes to exhibitors.forgetting (which destroys
their keys too), an edition's commands to exhibitors.editions, re-booking to
exhibitors.rebooking, every other one to the handlers."""

import pytest
from exhibitors.editions import EditionHandlers
from exhibitors.forgetting import Forgetting
from exhibitors.handlers import registry
from exhibitors.rebooking import Rebooking
from pavilion_contracts.exhibitors import commands as c
from pavilion_core.commanding import Registry

from tests.unit.exhibitors.support import Expo
from tests.unit.exhibitors.test_forgetting import Keys
from tests.unit.exhibitors.test_rebooking import StoreFinder


def test_every_command_is_bound_to_its_handler() -> None:
    expo = Expo()
    handlers = expo.h
    forgetting, editions = Forgetting(handlers, Keys()), EditionHandlers(handlers)
    rebooking = Rebooking(handlers, StoreFinder(expo.store))
    dispatch = registry.bind(handlers, forgetting, editions, rebooking)
    assert set(dispatch) == set(c.COMMANDS.commands)
    assert dispatch[c.ForgetContact] == forgetting.forget_contact
    assert dispatch[c.DefineBooth] == handlers.define_booth
    of_editions = {c.CreateEdition, c.OpenApplications, c.CloseApplications, c.CopyFloorPlan}
    assert all(getattr(dispatch[command], "__self__", None) is editions for command in of_editions)
    offers = {c.OfferRebooking, c.AcceptRebooking, c.DeclineRebooking}
    assert all(getattr(dispatch[command], "__self__", None) is rebooking for command in offers)
    others = set(c.COMMANDS.commands) - {c.ForgetContact} - of_editions - offers
    assert all(getattr(dispatch[command], "__self__", None) is handlers for command in others)


def test_a_command_without_its_handler_stops_the_service_at_its_start() -> None:
    expo = Expo()
    partial = Registry(c.COMMANDS)
    partial.functions = {k: f for k, f in registry.functions.items() if k is not c.DefineBooth}
    with pytest.raises(TypeError, match="exhibitors: no handler for DefineBooth"):
        partial.bind(expo.h, Forgetting(expo.h, Keys()), Rebooking(expo.h, StoreFinder(expo.store)))
