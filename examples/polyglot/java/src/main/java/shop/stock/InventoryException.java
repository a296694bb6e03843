package shop.stock;

/** inventory answered a reservation with an error. */
final class InventoryException extends Exception {
    InventoryException(int sku, int status, String said) {
        super("inventory answered " + status + " to the reservation of sku " + sku + ": " + said);
    }
}
