"""未成年人保护: the minor-protection response chain and the register of children under watch."""
