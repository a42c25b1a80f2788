"""Every state change in the domain goes through a function here (`<entity>_<action>`)."""
