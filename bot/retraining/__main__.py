import sys

from bot.retraining.cli import main

sys.exit(main())
