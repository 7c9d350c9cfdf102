print("sgpos")
