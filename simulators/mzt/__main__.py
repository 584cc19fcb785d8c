"""`python -m simulators.mzt`: serve the 闽政通 simulator with uvicorn (settings from MZT_SIM_*)."""
import uvicorn

from simulators.mzt.app import create_app
from simulators.mzt.settings import SimulatorSettings


def main() -> None:
    settings = SimulatorSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
