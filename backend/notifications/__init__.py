"""The seed's notification app: plugin API (`plugin`, `notification_types`), plugin loading,
channels, dispatch and the delivery log."""
