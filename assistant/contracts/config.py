"""What the contract service takes as configuration (the app builds it from its settings)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class ContractConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # The company's certificate and key (PKCS#12: .p12 / .pfx) and its passphrase; None: a self-signed demo
    # certificate per company, made on first use under `demo_dir`.
    pkcs12: Path | None = None
    passphrase: SecretStr | None = None
    demo_dir: Path = Path("var/contracts")
    template: Path | None = None  # the clause template; None: the shipped one (a company may name its own)
    font: Path | None = None  # a TrueType font with Chinese; None: the Debian fonts found by path (fonts.py)
    timezone: str = "Asia/Shanghai"  # the contract's date is the site's date
    poll_s: float = Field(default=2.0, gt=0)  # a pass at least this often (confirmations in other processes)
    lease_s: float = Field(default=120.0, gt=0)  # a claimed sale is claimed again after this if its process died
    batch_size: int = Field(default=10, ge=1)
    lookback_h: float = Field(default=24.0, gt=0)  # older confirmations are never put into contracts
    max_attempts: int = Field(default=5, ge=1)  # then the contract is given up (`failed`, with the reason)
    retry_initial_s: float = Field(default=5.0, gt=0)
    retry_max_s: float = Field(default=300.0, gt=0)

    def retry_delay(self, attempts: int) -> float:
        return float(min(self.retry_max_s, self.retry_initial_s * 2 ** max(0, attempts - 1)))
