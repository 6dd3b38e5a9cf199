"""What the bot says and how a conversation moves, without Telegram: replies built from a narrow view,
guided-flow steps as pure outcomes, flows at run time, typed callback data."""
