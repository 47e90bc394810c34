"""khruakhai: a LINE and Telegram chatbot for Thailand's social-welfare organization networks."""
