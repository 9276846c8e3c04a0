#include "domain/detail/demo_catalog.hpp"

namespace iam::domain::detail {
namespace {

constexpr const char* kGenericaCompanies[] = {"Comercializadora del Centro", "Distribuidora La Esperanza",
                                              "Ferretería El Tornillo", "Papelería Universal", "Abarrotes Don Pepe"};
constexpr CatalogItem kGenericaItems[] = {
    {"Cinta adhesiva", "GENERICO", "UNIDAD", 12, 45, "oficina"},
    {"Cuaderno profesional", "GENERICO", "UNIDAD", 25, 70, "papeleria"},
    {"Pegamento blanco", "GENERICO", "UNIDAD", 15, 60, "papeleria"},
    {"Cable eléctrico", "GENERICO", "METRO", 8, 30, "ferreteria"},
    {"Tornillos", "GENERICO", "CAJA", 30, 120, "ferreteria"},
    {"Pintura vinílica", "GENERICO", "LITRO", 90, 260, "ferreteria"},
    {"Bolsa de basura", "GENERICO", "PAQUETE", 20, 65, "limpieza"},
    {"Detergente", "GENERICO", "KILO", 35, 90, "limpieza"},
    {"Foco LED", "GENERICO", "UNIDAD", 25, 110, "iluminacion"},
    {"Candado", "GENERICO", "UNIDAD", 60, 280, "seguridad"},
};
constexpr const char* kGenericaVariants[] = {"Económico", "Estándar", "Premium", "Industrial", "Mini", "Jumbo"};

constexpr const char* kRopaCompanies[] = {"Boutique Aurora", "Moda Casual del Norte", "Textiles Guadalupe",
                                          "Zapatería El Paso", "Uniformes Escolares Sol"};
constexpr CatalogItem kRopaItems[] = {
    {"Playera algodón", "ROPA", "UNIDAD", 60, 180, "basicos"},
    {"Pantalón de mezclilla", "ROPA", "UNIDAD", 220, 650, "denim"},
    {"Sudadera con capucha", "ROPA", "UNIDAD", 250, 700, "invierno"},
    {"Vestido casual", "ROPA", "UNIDAD", 280, 900, "dama"},
    {"Camisa de vestir", "ROPA", "UNIDAD", 200, 600, "caballero"},
    {"Calcetines", "ROPA", "PAQUETE", 40, 120, "basicos"},
    {"Tenis deportivos", "ROPA", "UNIDAD", 450, 1600, "calzado"},
    {"Chamarra impermeable", "ROPA", "UNIDAD", 500, 1800, "invierno"},
    {"Gorra bordada", "ROPA", "UNIDAD", 80, 250, "accesorios"},
    {"Tela de algodón", "ROPA", "METRO", 45, 140, "telas"},
};
constexpr const char* kRopaVariants[] = {"Negro CH", "Blanco M", "Azul G", "Gris EG", "Rojo M", "Verde CH"};

constexpr const char* kAlimentosCompanies[] = {"Abarrotes La Canasta", "Frutas y Verduras Lupita",
                                               "Panadería San Miguel", "Minisúper El Ahorro", "Cremería Los Altos"};
constexpr CatalogItem kAlimentosItems[] = {
    {"Arroz", "ALIMENTO", "KILO", 18, 40, "granos"},
    {"Frijol negro", "ALIMENTO", "KILO", 25, 55, "granos"},
    {"Aceite vegetal", "ALIMENTO", "LITRO", 35, 80, "despensa"},
    {"Leche entera", "ALIMENTO", "LITRO", 20, 32, "lacteos"},
    {"Queso fresco", "ALIMENTO", "KILO", 90, 180, "lacteos"},
    {"Tortilla de maíz", "ALIMENTO", "KILO", 15, 28, "basicos"},
    {"Café molido", "ALIMENTO", "PAQUETE", 60, 190, "bebidas"},
    {"Azúcar", "ALIMENTO", "KILO", 20, 38, "despensa"},
    {"Agua purificada", "ALIMENTO", "LITROS", 8, 35, "bebidas"},
    {"Galletas surtidas", "ALIMENTO", "PAQUETE", 18, 60, "botanas"},
    {"Huevo blanco", "ALIMENTO", "CAJA", 45, 110, "basicos"},
};
constexpr const char* kAlimentosVariants[] = {"Granel", "Marca propia", "Orgánico", "Familiar", "Light", "Selecto"};

constexpr const char* kElectronicaCompanies[] = {"ElectroHogar Monterrey", "Cómputo y Redes MX", "Celulares Express",
                                                 "Tecnología Azteca", "Audio Pro Bajío"};
constexpr CatalogItem kElectronicaItems[] = {
    {"Cable USB-C", "ELECTRONICO", "UNIDAD", 40, 150, "accesorios"},
    {"Cargador rápido", "ELECTRONICO", "UNIDAD", 120, 450, "accesorios"},
    {"Audífonos inalámbricos", "ELECTRONICO", "UNIDAD", 250, 1800, "audio"},
    {"Teclado mecánico", "HARDWARE", "UNIDAD", 450, 2200, "computo"},
    {"Mouse óptico", "HARDWARE", "UNIDAD", 90, 600, "computo"},
    {"Memoria USB 64 GB", "HARDWARE", "UNIDAD", 90, 260, "almacenamiento"},
    {"Disco SSD 1 TB", "HARDWARE", "UNIDAD", 900, 2400, "almacenamiento"},
    {"Antivirus anual", "SOFTWARE", "LICENCIA", 250, 900, "software"},
    {"Suite de oficina", "SOFTWARE", "LICENCIA", 900, 2600, "software"},
    {"Bocina Bluetooth", "ELECTRONICO", "UNIDAD", 300, 2000, "audio"},
    {"Cable HDMI", "ELECTRONICO", "METRO", 30, 120, "video"},
};
constexpr const char* kElectronicaVariants[] = {"Básico", "Pro", "Plus", "Max", "Lite", "Gamer"};

constexpr const char* kFarmaciaCompanies[] = {"Farmacia San Rafael", "Botica del Pueblo", "FarmaSalud Express",
                                              "Droguería La Cruz Verde", "Farmacias Bienestar"};
constexpr CatalogItem kFarmaciaItems[] = {
    {"Paracetamol 500 mg", "MEDICAMENTO", "CAJA", 15, 60, "analgesicos"},
    {"Ibuprofeno 400 mg", "MEDICAMENTO", "CAJA", 20, 80, "analgesicos"},
    {"Amoxicilina 500 mg", "MEDICAMENTO", "CAJA", 45, 160, "antibioticos"},
    {"Vitamina C", "SUPLEMENTO", "CAJA", 60, 220, "vitaminas"},
    {"Proteína en polvo", "SUPLEMENTO", "KILOGRAMO", 400, 1200, "nutricion"},
    {"Jarabe para la tos", "MEDICAMENTO", "MILILITROS", 50, 150, "respiratorio"},
    {"Termómetro digital", "EQUIPO_MEDICO", "UNIDAD", 80, 300, "equipo"},
    {"Baumanómetro", "EQUIPO_MEDICO", "UNIDAD", 400, 1500, "equipo"},
    {"Gel antibacterial", "CUIDADO_PERSONAL", "MILILITRO", 25, 90, "higiene"},
    {"Gasas estériles", "MATERIAL_QUIRURGICO", "PAQUETE", 20, 70, "curacion"},
    {"Vacuna contra influenza", "BIOLOGICO", "UNIDAD", 150, 450, "vacunas"},
};
constexpr const char* kFarmaciaVariants[] = {
    "Genérico", "Patente", "Infantil", "Adulto", "Presentación chica", "Presentación grande"};

constexpr IndustryCatalog kCatalogs[] = {
    {"GENERICA", "GEN", kGenericaCompanies, kGenericaItems, kGenericaVariants},
    {"ROPA", "ROP", kRopaCompanies, kRopaItems, kRopaVariants},
    {"ALIMENTOS", "ALI", kAlimentosCompanies, kAlimentosItems, kAlimentosVariants},
    {"ELECTRONICA", "ELE", kElectronicaCompanies, kElectronicaItems, kElectronicaVariants},
    {"FARMACIA", "FAR", kFarmaciaCompanies, kFarmaciaItems, kFarmaciaVariants},
};

constexpr const char* kSupplierNames[] = {
    "Distribuidora Nacional",  "Grupo Mayorista del Golfo", "Importadora Pacífico", "Proveedora Industrial MX",
    "Comercial Hermanos Ruiz", "Logística Express Centro",  "Surtidora del Bajío",  "Almacenes Unidos",
};

constexpr const char* kCityNames[] = {"Ciudad de México", "Guadalajara", "Monterrey", "Puebla",
                                      "Querétaro",        "Mérida",      "León",      "Toluca"};

}  // namespace

std::span<const IndustryCatalog> IndustryCatalogs() { return kCatalogs; }
std::span<const char* const> SupplierNames() { return kSupplierNames; }
std::span<const char* const> CityNames() { return kCityNames; }

}  // namespace iam::domain::detail
