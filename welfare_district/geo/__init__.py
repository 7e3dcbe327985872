"""Geography: shipped reference layers, the area hierarchy (city > quartiere > zone > section) with
boundary versions, import of real ISTAT layers, the house-number register, and geocoding."""
