type = "track" and event = "Order Completed" or event = "Order Refunded"
