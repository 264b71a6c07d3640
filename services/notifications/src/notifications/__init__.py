"""Pavilion's notifications service: rules turn events into emails and webhooks,
honouring consent and opt-outs, exactly one send per notification."""
