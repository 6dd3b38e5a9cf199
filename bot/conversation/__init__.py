"""What the bot says and how a conversation moves, without Telegram: replies, answers, guided flows at run time, callback data."""
